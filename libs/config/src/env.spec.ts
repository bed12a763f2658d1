import { z } from 'zod';
import { ConfigError, optionalVar, parseEnv, portVar, postgresUrlVar } from './env';

const schema = z.object({
  API_PORT: portVar(3000),
  DATABASE_URL: optionalVar.pipe(postgresUrlVar.optional()),
});

function problemOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    parseEnv(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnv', () => {
  it('applies defaults when variables are absent', () => {
    expect(parseEnv(schema, {})).toEqual({ API_PORT: 3000, DATABASE_URL: undefined });
  });

  it('names the variable of a malformed port in one line', () => {
    const error = problemOf({ API_PORT: '30x0' });
    expect(error.variable).toBe('API_PORT');
    expect(error.message).toBe('API_PORT must be a port number (got "30x0")');
    expect(error.message).not.toContain('\n');
  });

  it('rejects ports outside 1..65535', () => {
    expect(problemOf({ API_PORT: '70000' }).variable).toBe('API_PORT');
  });

  it('names DATABASE_URL when it is not a postgres URL, without echoing its password', () => {
    const error = problemOf({ DATABASE_URL: 'mysql://root:hunter2@db/app' });
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).toContain('postgres://');
    expect(error.message).not.toContain('hunter2');
  });

  it('treats an empty variable as unset', () => {
    expect(parseEnv(schema, { DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });
});
