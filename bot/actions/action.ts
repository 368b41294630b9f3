import type { z } from 'zod';
import type { ActionReply, HandlerContext } from '../context';

/** One card action: the verb it answers, the shape of its data (checked), and what it does. */
export interface CardAction<S extends z.ZodType = z.ZodType> {
  verb: string;
  data: S;
  handle(ctx: HandlerContext, data: z.infer<S>): Promise<ActionReply>;
}

export function defineAction<S extends z.ZodType>(action: CardAction<S>): CardAction<S> {
  return action;
}
