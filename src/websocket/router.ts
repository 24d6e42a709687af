// Route patterns with parameters: "/ws/:sessionId", "/ws/chat/:host/:room/".

export interface CompiledRoute<T> {
  pattern: string;
  value: T;
  match(path: string): Record<string, string> | null;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export class RouteParamError extends Error {}

export function compileRoute<T>(pattern: string, value: T): CompiledRoute<T> {
  if (!pattern.startsWith('/')) throw new TypeError(`route "${pattern}" must start with "/"`);
  const names: string[] = [];
  const source = pattern
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  const regex = new RegExp(`^${source}$`);
  return {
    pattern,
    value,
    match(path) {
      const m = regex.exec(path);
      if (!m) return null;
      if (names.length === 0) return NO_PARAMS;
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(m[i + 1]!);
        } catch {
          throw new RouteParamError(`bad escape in "${name}"`);
        }
      });
      return params;
    },
  };
}

export class Router<T> {
  private readonly routes: CompiledRoute<T>[] = [];

  add(pattern: string, value: T): void {
    this.routes.push(compileRoute(pattern, value));
  }

  find(path: string): { value: T; params: Record<string, string>; pattern: string } | null {
    for (const route of this.routes) {
      const params = route.match(path);
      if (params) return { value: route.value, params, pattern: route.pattern };
    }
    return null;
  }
}
