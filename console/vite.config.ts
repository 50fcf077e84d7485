import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

// Built into dist/console and served by the API under /console; `npm run console:dev` proxies the API on :3000 for live editing.
export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  build: { outDir: path.join(root, '..', 'dist', 'console'), emptyOutDir: true, chunkSizeWarningLimit: 1500, sourcemap: false },
  server: { proxy: { '/api': process.env.CONSOLE_API ?? 'http://127.0.0.1:3000' } },
});
