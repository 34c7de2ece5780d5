/**
 * A New payment or New subscription form opened from a customer's page (navigation.ts
 * `openForm`): it takes the customer's e-mail when it shows, fills it in and moves the focus
 * to the first field left to fill.
 */
import { useCallback, useEffect, type RefObject } from 'react';
import { takePrefill, useNavigation, type Prefill } from '../store/navigation';

export function useCustomerPrefill(
  form: Prefill['form'],
  fill: (patch: { customerEmail: string }) => void,
  formRef: RefObject<HTMLFormElement | null>,
  /** The name of the field to focus once filled. */
  next: string,
): void {
  const waiting = useNavigation((s) => s.prefill?.form === form);
  const fillEmail = useCallback((email: string) => fill({ customerEmail: email }), [fill]);
  useEffect(() => {
    if (!waiting) return;
    const email = takePrefill(form);
    if (email === null) return;
    fillEmail(email);
    formRef.current?.querySelector<HTMLElement>(`[name="${next}"]`)?.focus();
  }, [waiting, form, fillEmail, formRef, next]);
}
