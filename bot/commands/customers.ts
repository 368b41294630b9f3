import { renderCustomers } from '../views';
import { defineCommand } from './command';

export const customers = defineCommand({ name: 'customers', handle: (ctx) => renderCustomers(ctx) });
