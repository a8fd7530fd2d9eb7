import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const api = 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [vue()],
  server: {
    proxy: { '/api': api, '/healthz': api, '/readyz': api, '/docs': api },
  },
  build: { chunkSizeWarningLimit: 1500 },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
})
