// The repository's root (where package.json is), from source (bot/) or compiled (dist/bot/) alike:
// data/demo and .m365agentsplayground.yml stay at the root, they are not copied into dist.
import { existsSync } from 'node:fs';
import path from 'node:path';

export function projectRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..');
  }
}
