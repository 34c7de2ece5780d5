// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { takeTokenFromUrl } from '../../src/renderer/src/lib/token';

describe('access token of the browser transport', () => {
  it('takes the token from the URL, keeps it in sessionStorage and removes it from the address bar', () => {
    window.history.replaceState(null, '', '/?token=s3cret&x=1#payments');
    expect(takeTokenFromUrl(window)).toBe('s3cret');
    expect(window.location.search).toBe('?x=1');
    expect(window.location.hash).toBe('#payments');
    expect(window.sessionStorage.getItem('paydesk.token')).toBe('s3cret');
    // A reload without the token in the URL still has it.
    window.history.replaceState(null, '', '/');
    expect(takeTokenFromUrl(window)).toBe('s3cret');
  });
});
