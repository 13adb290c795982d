/**
 * The lines a task prints, without loading @nx/devkit: every task is a
 * process of its own, and the devkit adds about 50 ms to each. Styled as
 * Nx's own logger styles them (warnings yellow, errors bold red) when Nx
 * asks for colour.
 */
const colour = () => process.env.FORCE_COLOR !== '0' && process.env.FORCE_COLOR !== 'false' && (!!process.env.FORCE_COLOR || !!process.stdout.isTTY);
const style = (codes: string, text: string) => (colour() ? `\u001b[${codes}m${text}\u001b[0m` : text);

export const taskLog = {
  info(message: string): void {
    console.info(message);
  },
  warn(message: string): void {
    console.warn(style('33', message));
  },
  error(message: string): void {
    console.error(style('1;31', message));
  },
};
