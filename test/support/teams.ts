// Teams over HTTP for the tests: the harness lives outside test/ because the benchmark drives the bot
// the same way.
export * from '../../harness/teams';
