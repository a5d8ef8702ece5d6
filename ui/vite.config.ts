import { defineConfig } from "vite";

// The webview loads ui/dist from inside the binary (Tauri's custom protocol). Everything is a
// file of our own: no CDN, no inline script (the CSP forbids both).
export default defineConfig({
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2021",
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    // One local bundle (ECharts is most of it); nothing is downloaded, so size only costs disk.
    chunkSizeWarningLimit: 1200,
  },
});
