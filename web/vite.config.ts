// Two pages: the app (index.html, History-API routes) and the player alone (embed.html).
// `npm run dev` proxies the API and media to a running `kinora serve` (KINORA_URL, default
// http://localhost:9000) and answers page paths as the server does.
import { defineConfig, type Plugin } from 'vite'
import { resolve } from 'node:path'

const backend = process.env.KINORA_URL ?? 'http://localhost:9000'
const proxied = ['/api', '/static', '/lazy-static', '/tracker', '/feeds', '/.well-known']

// In dev, /videos/embed/<id> gets embed.html like on the server; other pages fall back to
// index.html (Vite's SPA fallback).
function embedPages (): Plugin {
  return {
    name: 'kinora-embed-pages',
    configureServer (server) {
      server.middlewares.use((req, _res, next) => {
        if (req.url?.startsWith('/videos/embed/')) req.url = '/embed.html'
        next()
      })
    }
  }
}

export default defineConfig({
  base: '/',
  plugins: [embedPages()],
  server: {
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: backend, changeOrigin: false }]))
  },
  build: {
    target: 'es2020',
    // hls.js alone is about 580 kB; it is loaded only by the watch page and the embed.
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        embed: resolve(import.meta.dirname, 'embed.html')
      }
    }
  }
})
