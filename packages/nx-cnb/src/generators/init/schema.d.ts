// The init generator takes no options: `nx add nx-cnb` runs it as it is.
export type InitGeneratorSchema = Record<string, never>;
