/**
 * Money is an integer count of minor units plus an ISO-4217 currency code, never a float.
 * Decimal strings are parsed exactly (digit by digit, no floating point); amounts that do
 * not fit the currency's exponent are rejected with the reason.
 */
import { DomainError } from './result';

/** Largest amount accepted, in the currency's major units (99,999,999.99 for USD). */
export const MAX_MAJOR_UNITS = 99_999_999;

/**
 * ISO 4217's exponent of every current currency that does not have two decimals. The table
 * is ours, not Intl's: ICU reports the digits people round to (0 for COP, IDR, HUF, IQD...),
 * which differ from ISO and between ICU versions (Node and Electron ship different ones),
 * while an amount stored in minor units must mean the same in every runtime.
 */
const ISO_EXPONENTS_OTHER_THAN_2: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

const exponentCache = new Map<string, number | null>();

function isKnownCurrency(code: string): boolean {
  if (Object.hasOwn(ISO_EXPONENTS_OTHER_THAN_2, code)) return true;
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  if (supported) return supported('currency').includes(code);
  return true;
}

/** The number of decimal places of an ISO-4217 currency, or null when the code is unknown. */
export function currencyExponent(code: string): number | null {
  // Only well-formed codes are cached: at most 26³ entries, whatever strings come in. The
  // cache is asked first: amounts are compared by value a million at a time (amountValue).
  const cached = exponentCache.get(code);
  if (cached !== undefined) return cached;
  if (!/^[A-Z]{3}$/.test(code)) return null;
  const exponent = isKnownCurrency(code) ? (ISO_EXPONENTS_OTHER_THAN_2[code] ?? 2) : null;
  exponentCache.set(code, exponent);
  return exponent;
}

export function assertCurrency(code: string, field = 'currency'): number {
  const exponent = currencyExponent(code);
  if (exponent === null) {
    throw new DomainError('validation', `"${code}" is not an ISO-4217 currency code`, field);
  }
  return exponent;
}

/** The largest amount in minor units that a currency accepts. */
export function maxMinorUnits(currency: string): number {
  const exponent = assertCurrency(currency);
  return (MAX_MAJOR_UNITS + 1) * 10 ** exponent - 1;
}

/**
 * Parse a decimal string like "99.99" into minor units of `currency` (9999 for USD).
 * Rejects empty strings, signs, exponents, commas, surrounding spaces, zero, more decimals
 * than the currency has, and amounts above the maximum; the error names `field`.
 */
export function parseAmount(input: string, currency: string, field = 'amount'): number {
  const exponent = assertCurrency(currency);
  if (input.length === 0) throw new DomainError('validation', 'Amount is required', field);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(input);
  if (!match) {
    throw new DomainError(
      'validation',
      `"${input}" is not an amount: use digits with an optional decimal point, like 99.99`,
      field,
    );
  }
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) {
    throw new DomainError(
      'validation',
      exponent === 0
        ? `${currency} has no minor unit: "${input}" must be a whole number`
        : `${currency} has ${exponent} decimal place${exponent === 1 ? '' : 's'}: "${input}" has ${fraction.length}`,
      field,
    );
  }
  const wholeDigits = whole.replace(/^0+(?=\d)/, '');
  if (wholeDigits.length > String(MAX_MAJOR_UNITS).length) {
    throw new DomainError('validation', tooLarge(currency), field);
  }
  const minor = Number(wholeDigits + fraction.padEnd(exponent, '0'));
  if (minor === 0) throw new DomainError('validation', 'Amount must be greater than zero', field);
  if (minor > maxMinorUnits(currency))
    throw new DomainError('validation', tooLarge(currency), field);
  return minor;
}

function tooLarge(currency: string): string {
  return `Amount is above the maximum of ${formatAmount(maxMinorUnits(currency), currency)}`;
}

/** Minor units as a plain decimal string ("99.99"), the REST API's representation. */
export function toDecimalString(minor: number, currency: string): string {
  const exponent = assertCurrency(currency);
  if (!Number.isSafeInteger(minor)) throw new RangeError(`${minor} is not an integer amount`);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Minor units formatted for people with `Intl.NumberFormat` ("$99.99", "¥500"). */
export function formatAmount(minor: number, currency: string, locale?: string): string {
  const exponent = assertCurrency(currency);
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // Formatting the exact decimal string keeps precision for every safe integer.
  return formatter.format(toDecimalString(minor, currency) as unknown as number);
}

/**
 * Digits of the scale on which amounts of every currency compare: no ISO-4217 currency has
 * more than 4 decimals, so an amount's value in ten-thousandths of its major unit is an
 * exact integer (at most about 10^12 for the largest amount accepted).
 */
const VALUE_DIGITS = 4;

/**
 * An amount's value on one scale for every currency (ten-thousandths of a major unit), to
 * compare or filter amounts of different currencies by what they read as: 10.00 USD (1000
 * minor units) and 10 JPY (10) both have the value 100000. An unknown currency counts as
 * having two decimals.
 */
export function amountValue(minor: number, currency: string): number {
  return minor * 10 ** (VALUE_DIGITS - (currencyExponent(currency) ?? 2));
}

/**
 * The value (see amountValue) of a decimal amount in major units: "10", "99.99", "0.0005";
 * up to 4 decimals, zero allowed (a bound, not a charge). The error names `field`.
 */
export function parseAmountValue(input: string, field = 'amount'): number {
  const match = /^(\d{1,12})(?:\.(\d{1,4}))?$/.exec(input.trim());
  if (!match) {
    throw new DomainError(
      'validation',
      `"${input}" is not an amount: use digits with an optional decimal point, like 99.99`,
      field,
    );
  }
  return Number((match[1] ?? '') + (match[2] ?? '').padEnd(VALUE_DIGITS, '0'));
}
