// Two pages: the app (index.html, History-API routes) and the player alone (embed.html).
// `npm run dev` proxies the API and media to a running `kinora serve` (KINORA_URL, default
// http://localhost:9000) and answers page paths as the server does.
import { defaultClientConditions, defineConfig, type Plugin } from 'vite'
import { resolve } from 'node:path'

const backend = process.env.KINORA_URL ?? 'http://localhost:9000'
const proxied = ['/api', '/static', '/lazy-static', '/tracker', '/feeds', '/.well-known']

// In dev, /videos/embed/<id> and /video-playlists/embed/<id> get embed.html like on the server; other pages fall back to
// index.html (Vite's SPA fallback).
function embedPages (): Plugin {
  return {
    name: 'kinora-embed-pages',
    configureServer (server) {
      server.middlewares.use((req, _res, next) => {
        if (req.url?.startsWith('/videos/embed/') || req.url?.startsWith('/video-playlists/embed/')) req.url = '/embed.html'
        next()
      })
    }
  }
}

// p2p-media-loader-core 2.x names a stream's swarm `v2-<swarmId>-<type>-<hash of the playlist's
// attributes>` and offers no hook to change it. Current PeerTube names it after the video and
// resolution (`pt-v2-<uuid>-main-default-720`, kinora_core::swarm) so its server can admit the
// swarms on a private tracker; to share those swarms, the library's one naming function is made
// to take a stream's own `streamSwarmId` first (src/p2p.ts sets it). The build fails if a new
// version of the library no longer has that function.
function streamSwarmIdHook (): Plugin {
  const original = /function getStreamSwarmId\(swarmId, stream\) \{\s*return `\$\{PEER_PROTOCOL_VERSION\}-\$\{swarmId\}-\$\{getStreamId\(stream\)\}`;\s*\}/
  return {
    name: 'kinora-p2pml-stream-swarm-id',
    transform (code, id) {
      if (!id.replace(/\\/g, '/').endsWith('p2p-media-loader-core/dist/p2p-media-loader-core.es.js')) return null
      if (!original.test(code)) this.error('p2p-media-loader-core changed: getStreamSwarmId(swarmId, stream) not found')
      return {
        code: code.replace(original, () => 'function getStreamSwarmId(swarmId, stream) {\n\treturn stream.streamSwarmId ?? `${PEER_PROTOCOL_VERSION}-${swarmId}-${getStreamId(stream)}`;\n}'),
        map: null
      }
    }
  }
}

export default defineConfig({
  base: '/',
  plugins: [embedPages(), streamSwarmIdHook()],
  resolve: {
    // p2p-media-loader-core's self-contained browser build (its Node dependencies are not used).
    conditions: ['p2pml:core-as-bundle', ...defaultClientConditions]
  },
  // Served as they are in dev, so the transform above applies there too.
  optimizeDeps: { exclude: ['p2p-media-loader-core', 'p2p-media-loader-hlsjs'] },
  server: {
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: backend, changeOrigin: false }]))
  },
  build: {
    target: 'es2020',
    // hls.js alone is about 580 kB; it is loaded only by the watch page and the embed (and
    // p2p-media-loader only by them, when sharing is on).
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        embed: resolve(import.meta.dirname, 'embed.html')
      }
    }
  }
})
