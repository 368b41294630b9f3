import type { AdaptiveCard } from '../../cards/render';
import type { HandlerContext } from '../context';
import type { ParsedCommand } from './parse';

/** One text command: its parsed form's name and what it answers (always a card, as a new message). */
export interface TextCommand<N extends ParsedCommand['name'] = ParsedCommand['name']> {
  name: N;
  handle(ctx: HandlerContext, command: Extract<ParsedCommand, { name: N }>): Promise<AdaptiveCard>;
}

export function defineCommand<N extends ParsedCommand['name']>(command: TextCommand<N>): TextCommand<N> {
  return command;
}
