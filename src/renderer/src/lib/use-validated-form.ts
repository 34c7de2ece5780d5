/**
 * The state of a form validated as you type: values, which fields were touched, errors
 * from the pure checker (shown once a field is touched or the form submitted) and errors the
 * core returned for a field (shown until that field changes). On submit, the first bad
 * field gets the focus; a core error without a field becomes the form's error.
 */
import { useMemo, useRef, useState, type FormEvent } from 'react';
import type { Result } from '../../../shared/result';
import { hasErrors, type Checked, type FieldErrors } from './validation';

export interface ValidatedFormOptions<F extends string, V extends Record<F, string>, I> {
  empty: V;
  /** The fields in the order they appear (the first bad one is focused). */
  fields: readonly F[];
  check: (values: V) => Checked<I, F>;
  submit: (input: I) => Promise<Result<unknown>>;
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
  const checked = useMemo(() => check(values), [check, values]);

  const errorOf = (field: F): string | undefined =>
    serverErrors[field] ?? (touched[field] || submitted ? checked.errors[field] : undefined);

  const update = (field: F, value: string): void => {
    setValues((v) => ({ ...v, [field]: value }));
    setTouched((t) => ({ ...t, [field]: true }));
    setServerErrors((e) => ({ ...e, [field]: undefined }));
    setFormError(null);
  };

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
    const res = await submit(checked.input);
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

  return { values, busy, formError, formRef, errorOf, update, onSubmit };
}
