/**
 * The few lines inference prints, without loading @nx/devkit: the plugin is
 * loaded by every Nx command, and the devkit alone takes about 0.3 s to load.
 * The same rules as Nx's own logger. One object, so tests can watch it.
 */
export const pluginLog = {
  warn(message: string): void {
    console.warn(message);
  },
  /** Shown only with NX_VERBOSE_LOGGING=true, on stderr so `nx show projects | grep` stays clean. */
  verbose(message: string): void {
    if (process.env.NX_VERBOSE_LOGGING === 'true') console.error(message);
  },
};
