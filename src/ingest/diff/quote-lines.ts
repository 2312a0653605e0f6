/** One line of a reply with its quote depth ("> > x", ">> x", ">x" all count) and the text inside the quote. */
export interface QuotedLine {
  depth: number;
  /** The line without its quote marks and the one blank that follows the last mark. */
  content: string;
  /** 0-based index in the body. */
  index: number;
}

export function quoteLine(line: string, index: number): QuotedLine {
  let i = 0;
  let depth = 0;
  while (line[i] === '>') {
    depth++;
    i++;
    // "> > x": a blank between marks belongs to the quoting.
    if (line[i] === ' ' && line[i + 1] === '>') i++;
  }
  if (depth > 0 && line[i] === ' ') i++;
  return { depth, content: line.slice(i), index };
}

/** Lines of a reply body, CRLF normalised, each with its quote depth. */
export function quoteLines(body: string): QuotedLine[] {
  return body.replace(/\r\n/g, '\n').split('\n').map(quoteLine);
}
