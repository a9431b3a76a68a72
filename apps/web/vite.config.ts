import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/** The web app, built to dist/ and served by the server at `/` (apps/server/src/web.ts). */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  logLevel: 'warn',
  // public/ holds the page the server shows when the app is not built; nothing to copy into dist
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 3000,
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
})
