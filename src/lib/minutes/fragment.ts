/** The Y.XmlFragment of a minutes document that holds its text (TipTap Collaboration's default). */
export const MINUTES_FRAGMENT = 'default';
