// ESLint for the SPA: Vue 3's recommended rules and typescript-eslint's recommended rules for
// .vue and .ts files (the browser tests and scripts in .mjs get the TypeScript rules that make
// sense for plain JavaScript). `npm run lint`; the test script runs it with `vue-tsc`.
import pluginVue from 'eslint-plugin-vue'
import { defineConfigWithVueTs, vueTsConfigs } from '@vue/eslint-config-typescript'

export default defineConfigWithVueTs(
  { name: 'app/files-to-lint', files: ['**/*.{ts,mts,vue,js,mjs}'] },
  // Generated (schema.d.ts from openapi.yaml) or built output.
  { name: 'app/ignores', ignores: ['dist/**', 'node_modules/**', 'src/api/schema.d.ts', 'coverage/**'] },
  pluginVue.configs['flat/recommended'],
  vueTsConfigs.recommended,
  {
    name: 'app/unused',
    rules: {
      // A leading underscore marks a parameter kept for its position or type (`(_req: Request) => …`
      // in a fetch stub), as in TypeScript's own noUnusedParameters.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    name: 'app/layout',
    rules: {
      // Layout, not correctness: our templates keep short elements and their attributes on one
      // line (`<el-button size="small" @click="…">{{ t('…') }}</el-button>`), which reads better
      // in tables and dialogs than one attribute a line. These three rules would only rewrap
      // ~5,000 lines; the other layout rules of the recommended set stay on.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
)
