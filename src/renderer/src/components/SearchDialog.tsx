/**
 * The Search dialog (Ctrl/Cmd+K, or "Search" in the top bar): one field that finds payments
 * (by id, transaction id, any part of the e-mail, exact amount), customers, subscriptions,
 * and commands (screens, Run recurring now, Undo/Redo, Export payments as CSV).
 *
 * A modal dialog holding a WAI-ARIA combobox: the focus stays in the text field, whose
 * aria-activedescendant points at the active option of the listbox below (grouped by kind).
 * Up and Down move (wrapping), Enter chooses, a click chooses, Escape closes; the focus then
 * goes back where it was, or to the heading of the screen the choice showed.
 */
import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import type { SearchResults } from '../../../shared/contract';
import { dateTime, money, statusText } from '../lib/format';
import { matchingCommands, searchCommands, showScreen } from '../lib/search-commands';
import { useModalDialog } from '../lib/use-modal-dialog';
import { openCustomer } from '../store/customers';
import { loadHistory, useHistory } from '../store/history';
import { selectPayment, showPayments } from '../store/payments';
import { closeSearch, findText, setSearchText, useSearch } from '../store/search';
import { selectSubscription } from '../store/subscriptions';

const TYPING_PAUSE_MS = 150;

interface Option {
  key: string;
  group: string;
  label: string;
  detail?: string;
  choose(): void;
}

function resultOptions(results: SearchResults, text: string): Option[] {
  const out: Option[] = [];
  for (const p of results.payments) {
    out.push({
      key: `payment-${p.id}`,
      group: 'Payments',
      label: `${money(p.amount, p.currency)} · ${p.customerEmail}`,
      detail: `${statusText(p.status)} · ${dateTime(p.createdAt)} · ${p.id}`,
      choose: () => {
        showScreen('payments');
        selectPayment(p.id);
      },
    });
  }
  if (results.paymentsTotal > results.payments.length) {
    out.push({
      key: 'payments-all',
      group: 'Payments',
      label: `Show all ${results.paymentsTotal.toLocaleString()} payments of customers matching “${text}”`,
      choose: () => {
        showScreen('payments');
        showPayments({ customer: text });
      },
    });
  }
  for (const c of results.customers) {
    out.push({
      key: `customer-${c.email}`,
      group: 'Customers',
      label: c.email,
      detail: `${c.payments.toLocaleString()} payment${c.payments === 1 ? '' : 's'}`,
      choose: () => {
        showScreen('customers');
        openCustomer(c.email);
      },
    });
  }
  for (const s of results.subscriptions) {
    out.push({
      key: `subscription-${s.id}`,
      group: 'Subscriptions',
      label: `${s.customerEmail} · ${money(s.amount, s.currency)}`,
      detail: `${statusText(s.status)} · ${s.id}`,
      choose: () => {
        showScreen('subscriptions');
        selectSubscription(s.id);
      },
    });
  }
  return out;
}

function DialogView() {
  const dialog = useModalDialog(closeSearch, { returnFocus: true });
  const listId = useId();
  const state = useSearch();
  const [active, setActive] = useState(0);
  // Undo and Redo are named after the history's next entries (loaded when the dialog opens).
  const history = useHistory((s) => s.view);
  const commands = useMemo(() => searchCommands(history), [history]);

  useEffect(() => {
    // Undo and Redo are named after the next entries: know them.
    void loadHistory();
  }, []);

  useEffect(() => {
    const timer = setTimeout(() => void findText(), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [state.text]);

  const text = state.text.trim();
  const options = useMemo(() => {
    const found =
      text !== '' && state.results !== null && state.foundFor === text
        ? resultOptions(state.results, text)
        : [];
    const commandOptions: Option[] = matchingCommands(commands, text).map((c) => ({
      key: `command-${c.id}`,
      group: 'Commands',
      label: c.label,
      choose: c.run,
    }));
    return [...found, ...commandOptions];
  }, [state.results, state.foundFor, text, commands]);

  useEffect(() => setActive(0), [options]);

  const optionId = (i: number): string => `${listId}-option-${i}`;
  const choose = (option: Option | undefined): void => {
    if (!option) return;
    closeSearch();
    option.choose();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    const n = options.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (n > 0) setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(options[active]);
    }
  };

  const groups: Array<{ name: string; items: Array<{ option: Option; index: number }> }> = [];
  options.forEach((option, index) => {
    const last = groups[groups.length - 1];
    if (last?.name === option.group) last.items.push({ option, index });
    else groups.push({ name: option.group, items: [{ option, index }] });
  });
  const status = state.error
    ? state.error
    : state.searching
      ? 'Searching…'
      : text !== '' && state.foundFor === text && options.length === 0
        ? `Nothing matches “${text}”`
        : text !== '' && state.foundFor === text
          ? `${options.length} result${options.length === 1 ? '' : 's'}`
          : '';

  return (
    <dialog {...dialog} className="dialog search-dialog" aria-label="Search">
      <input
        data-autofocus
        className="search-input"
        type="text"
        role="combobox"
        aria-label="Search payments, customers, subscriptions and commands"
        aria-expanded={options.length > 0}
        aria-controls={options.length > 0 ? listId : undefined}
        aria-autocomplete="list"
        aria-activedescendant={options.length > 0 ? optionId(active) : undefined}
        placeholder="Search by e-mail, id, amount, or a command"
        autoComplete="off"
        spellCheck={false}
        value={state.text}
        onChange={(e) => setSearchText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      {/* Only with options: a listbox must hold some. */}
      {options.length > 0 && (
        <div id={listId} role="listbox" aria-label="Results" className="search-results">
          {groups.map((g) => (
            <div key={g.name} role="group" aria-label={g.name} className="search-group">
              <div className="search-group-title" aria-hidden="true">
                {g.name}
              </div>
              {g.items.map(({ option, index }) => (
                <div
                  key={option.key}
                  id={optionId(index)}
                  role="option"
                  aria-selected={index === active}
                  className={`search-option${index === active ? ' is-active' : ''}`}
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseMove={() => setActive(index)}
                  onClick={() => choose(option)}
                >
                  <span className="search-option-label">{option.label}</span>
                  {option.detail && <span className="search-option-detail">{option.detail}</span>}
                </div>
              ))}
            </div>
          ))}
        </div>
      )}
      <p className="search-status" role="status">
        {status}
      </p>
      <p className="search-hint" aria-hidden="true">
        <kbd>↑</kbd> <kbd>↓</kbd> move · <kbd>Enter</kbd> choose · <kbd>Esc</kbd> close
      </p>
    </dialog>
  );
}

export function SearchDialog() {
  const open = useSearch((s) => s.open);
  return open ? <DialogView /> : null;
}
