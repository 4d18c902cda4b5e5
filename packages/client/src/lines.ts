/**
 * Splits text arriving in pieces into lines (NDJSON): calls `onLine` for each complete line that
 * is not only white space (the stream's padding), keeping an unfinished last piece for the next chunk.
 */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line.trim()) onLine(line);
  };
}
