import type { TextCommand } from './command';
import { assign } from './assign';
import { customers } from './customers';
import { help, unknown } from './help';
import { history } from './history';
import { licenses } from './licenses';
import type { ParsedCommand } from './parse';
import { revoke } from './revoke';
import { select } from './select';
import { selected } from './selected';
import { use } from './use';
import { users } from './users';

export const commands: { [N in ParsedCommand['name']]: TextCommand<N> } = {
  help, unknown, customers, use, users, selected, select, licenses, history, assign, revoke,
};
