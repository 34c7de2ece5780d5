/** A three-letter currency code input: upper-cased as typed, with common codes suggested. */
import type { ControlProps } from './Field';

const COMMON = ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK', 'PLN', 'KWD'];
const LIST_ID = 'common-currencies';

export function CurrencyList() {
  return (
    <datalist id={LIST_ID}>
      {COMMON.map((c) => (
        <option key={c} value={c} />
      ))}
    </datalist>
  );
}

export function CurrencyInput(
  props: ControlProps & { name: string; value: string; onChange: (value: string) => void },
) {
  const { onChange, ...rest } = props;
  return (
    <input
      {...rest}
      list={LIST_ID}
      autoComplete="off"
      spellCheck={false}
      maxLength={3}
      className="input-code"
      onChange={(e) => onChange(e.target.value.toUpperCase())}
    />
  );
}
