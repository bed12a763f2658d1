import { plainMessage } from './words';

/** The validation problems the api reported at one document path, next to its input, in plain words. */
export function Problem({ problems, path }: { problems: Record<string, string[]>; path: string }) {
  const list = problems[path];
  if (!list || list.length === 0) return null;
  return (
    <span className="problem" role="alert" data-problem-for={path}>
      {list.map(plainMessage).join('; ')}
    </span>
  );
}
