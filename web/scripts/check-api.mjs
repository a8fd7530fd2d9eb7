// Fails when src/api/schema.d.ts is not what openapi-typescript makes of ../openapi.yaml,
// i.e. when the API changed and `npm run gen:api` (or scripts/gen-openapi) was not run.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const dir = mkdtempSync(join(tmpdir(), 'tongxin-api-'))
const out = join(dir, 'schema.d.ts')
try {
  execFileSync('npx', ['openapi-typescript', '../openapi.yaml', '-o', out], { stdio: 'ignore' })
  if (readFileSync(out, 'utf8') !== readFileSync('src/api/schema.d.ts', 'utf8')) {
    console.error('src/api/schema.d.ts is stale: run `npm --prefix web run gen:api` (or scripts/gen-openapi) and commit it')
    process.exit(1)
  }
  console.log('API types match openapi.yaml')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
