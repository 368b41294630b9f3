import type { z } from 'zod';
import type { Verb } from '../../cards/verbs';
import type { ActionReply, HandlerContext } from '../context';

/** One card action: the verb it answers, the shape of its data (checked), and what it does. */
export interface CardAction<S extends z.ZodType = z.ZodType, V extends Verb = Verb> {
  verb: V;
  data: S;
  handle(ctx: HandlerContext, data: z.infer<S>): Promise<ActionReply>;
}

export function defineAction<S extends z.ZodType, V extends Verb>(action: CardAction<S, V>): CardAction<S, V> {
  return action;
}

/** The route table's shape: under each verb, the action that answers exactly that verb. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ActionTable = { [V in Verb]: CardAction<any, V> };
