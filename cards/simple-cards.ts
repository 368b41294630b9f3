// Small cards: a message with optional buttons, help, choices for an ambiguous name, save progress.
import help from './templates/help.json';
import message from './templates/message.json';
import choices from './templates/choices.json';
import progress from './templates/progress.json';
import { labels, type Lang } from './i18n';
import { clip, expand, type AdaptiveCard } from './render';
import type { Verb } from './verbs';

export interface CardButton {
  title: string;
  verb: Verb;
  data?: Record<string, unknown>;
}

export function messageCard(input: { title: string; lines: string[]; tone?: 'info' | 'warning' | 'error'; actions?: CardButton[] }): AdaptiveCard {
  const color = input.tone === 'error' ? 'Attention' : input.tone === 'warning' ? 'Warning' : 'Default';
  return expand(message, {
    title: input.title,
    color,
    lines: input.lines.map((l) => clip(l, 2000)),
    actions: (input.actions ?? []).map((a) => ({ title: a.title, verb: a.verb, data: a.data ?? {} })),
  });
}

export function helpCard(lang: Lang, lead = ''): AdaptiveCard {
  const l = labels[lang];
  return expand(help, {
    title: l.helpTitle,
    lead,
    intro: l.helpIntro,
    commands: l.helpCommands.map(([command, meaning]) => ({ command, meaning })),
    showCustomersLabel: l.showCustomers,
  });
}

/** An ambiguous or unknown name gets choices, never a guess: each choice sends its verb with the name resolved (ids, not text). */
export function choicesCard(question: string, options: CardButton[]): AdaptiveCard {
  return expand(choices, { question, choices: options.slice(0, 10).map((o) => ({ title: clip(o.title, 80), verb: o.verb, data: o.data ?? {} })) });
}

export function progressCard(lang: Lang, customerName: string, done: number, total: number, counts?: { succeeded: number; failed: number; noChange: number }): AdaptiveCard {
  const l = labels[lang];
  return expand(progress, {
    title: l.savingTitle,
    customerName,
    progressText: l.savingProgress(done, total),
    countsText: counts ? l.resultCounts(counts.succeeded, counts.failed, counts.noChange) : '',
  });
}
