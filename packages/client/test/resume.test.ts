import { Resume } from '../src/resume';

describe('Resume', () => {
  it('accepts increasing positions and drops anything at or before the last one', () => {
    const resume = new Resume('e-5');
    expect(resume.take('e-4')).toBe('old');
    expect(resume.take('e-5')).toBe('old');
    expect(resume.take('e-6')).toBe('new');
    expect(resume.take('e-9')).toBe('new'); // holes are other channels' messages
    expect(resume.take('e-7')).toBe('old');
    expect(resume.cursor).toBe('e-9');
  });

  it('with one position per partition, drops a cursor none of whose positions is ahead', () => {
    const resume = new Resume('e-5_3');
    expect(resume.take('e-5_3')).toBe('old');
    expect(resume.take('e-4_3')).toBe('old');
    expect(resume.take('e-5_4')).toBe('new');
    expect(resume.take('e-6_4')).toBe('new');
    expect(resume.take('e-6_2')).toBe('old');
    expect(resume.cursor).toBe('e-6_4');
  });

  it('compares positions as numbers, not text', () => {
    const resume = new Resume('e-9');
    expect(resume.take('e-10')).toBe('new');
    expect(resume.take('e-9')).toBe('old');
  });

  it('starts from nothing: the first cursor is taken as it is', () => {
    const resume = new Resume();
    expect(resume.cursor).toBeUndefined();
    expect(resume.take('e-3')).toBe('new');
    expect(resume.cursor).toBe('e-3');
  });

  it('calls another epoch with no gap announced a jump, and follows it', () => {
    const resume = new Resume('old-40');
    expect(resume.take('new-2')).toBe('jump');
    expect(resume.cursor).toBe('new-2');
    expect(resume.take('new-1')).toBe('old');
    expect(resume.take('new-3')).toBe('new');
  });

  it('after a gap with a cursor, continues from it quietly even in another epoch', () => {
    const resume = new Resume('old-40');
    resume.gap('new-7');
    expect(resume.cursor).toBe('new-7');
    expect(resume.take('new-7')).toBe('old');
    expect(resume.take('new-8')).toBe('new');
    expect(resume.take('other-1')).toBe('jump'); // the gap covered one change only
  });

  it('after a gap without a cursor (a poll), accepts the next cursor whatever it is', () => {
    const resume = new Resume('e-100'); // a cursor past the end of the log
    resume.gap();
    expect(resume.take('e-3')).toBe('new');
    expect(resume.take('e-3')).toBe('old');
  });
});
