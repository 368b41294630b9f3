// `npm run import` as a newcomer runs it: the CLI in its own process, its exit code and output.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

export function runImportCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), path.resolve(__dirname, '../../domain/import-cli.ts'), ...args], {
    env: { ...process.env, ...env },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
  );
}
