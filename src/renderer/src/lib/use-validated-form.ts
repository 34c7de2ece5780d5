/**
 * The state of a form validated as you type: values, which fields were touched, errors
 * from the pure checker (shown once a field is touched or the form submitted) and errors the
 * core returned for a field (shown until that field changes). On submit, the first bad
 * field gets the focus; a core error without a field becomes the form's error.
 * A submit is one intent with its idempotency key: submitted again after a lost answer
 * (`unavailable`, `in_progress`) it sends the same key; any other answer, or an edit of a
 * field, makes the next submit a new intent.
 */
import { useCallback, useMemo, useRef, useState, type FormEvent } from 'react';
import type { Result } from '../../../shared/result';
import { intent, type IntentOptions } from './intent';
import { hasErrors, type Checked, type FieldErrors } from './validation';

export interface ValidatedFormOptions<F extends string, V extends Record<F, string>, I> {
  empty: V;
  /** The fields in the order they appear (the first bad one is focused). */
  fields: readonly F[];
  check: (values: V) => Checked<I, F>;
  submit: (input: I, call: IntentOptions) => Promise<Result<unknown>>;
  /** Values kept after a successful submit (e.g. the currency). */
  keep: readonly F[];
}

export function useValidatedForm<F extends string, V extends Record<F, string>, I>(
  options: ValidatedFormOptions<F, V, I>,
) {
  const { empty, fields, check, submit, keep } = options;
  const [values, setValues] = useState<V>(empty);
  const [touched, setTouched] = useState<Partial<Record<F, true>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const [submits] = useState(() => intent<I>());
  const checked = useMemo(() => check(values), [check, values]);

  const errorOf = (field: F): string | undefined =>
    serverErrors[field] ?? (touched[field] || submitted ? checked.errors[field] : undefined);

  const update = (field: F, value: string): void => {
    setValues((v) => ({ ...v, [field]: value }));
    setTouched((t) => ({ ...t, [field]: true }));
    setServerErrors((e) => ({ ...e, [field]: undefined }));
    setFormError(null);
    submits.drop();
  };

  /** Sets values without marking them touched (a form opened filled in): a new intent. */
  const fill = useCallback(
    (patch: Partial<V>): void => {
      setValues((v) => ({ ...v, ...patch }));
      setServerErrors({});
      setFormError(null);
      submits.drop();
    },
    [submits],
  );

  const focusField = (field: F): void => {
    formRef.current?.querySelector<HTMLElement>(`[name="${field}"]`)?.focus();
  };

  const onSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy) return;
    setSubmitted(true);
    if (hasErrors(checked.errors)) {
      const firstBad = fields.find((f) => checked.errors[f]);
      if (firstBad) focusField(firstBad);
      return;
    }
    setBusy(true);
    setFormError(null);
    const attempt = submits.start(checked.input);
    const res = attempt.settle(await submit(attempt.request, attempt.options));
    setBusy(false);
    if (res.ok) {
      setValues((v) => {
        const next = { ...empty };
        for (const f of keep) next[f] = v[f];
        return next;
      });
      setTouched({});
      setSubmitted(false);
      return;
    }
    const field = res.error.field as F | undefined;
    if (field && fields.includes(field)) {
      setServerErrors({ [field]: res.error.message } as FieldErrors<F>);
      focusField(field);
    } else {
      setFormError(res.error.message);
    }
  };

  return { values, busy, formError, formRef, errorOf, update, fill, onSubmit };
}
