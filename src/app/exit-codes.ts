/** Exit status of every command: 0 ran and found no errors, 1 ran and found errors, 2 could not run. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_CANNOT_RUN = 2;
