// Python code run once in every Python worker after Pyodide boots and before the
// interpreter's memory is snapshotted. It (1) closes, inside Python, the doors
// Pyodide opens to the host (the `js`/`pyodide` FFI modules, os.system & co,
// subprocess, sockets, ctypes) and (2) builds the harness the worker calls for
// each run. The Python layer is only the first of several: a guest that gets
// around it still meets stubbed wasm imports, a JavaScript realm with no code
// generation and no host globals, and Node's permission model (docs/sandbox.md).
//
// The last expression evaluates to a tuple of the harness functions; the
// worker keeps them as PyProxies and calls them with strings only, so no
// proxy is ever created during a run (which the memory snapshot relies on).

export const PYTHON_PRELUDE = String.raw`
def _ringside_setup():
    import sys, builtins, json, traceback, linecache, os, posix, time, gc, signal, _signal

    # ---------------------------------------------------------------- lockdown
    BLOCKED_TOP = frozenset({
        'js', 'pyodide', 'pyodide_js', '_pyodide', '_pyodide_core', 'pyodide_http', 'micropip',
        'ctypes', '_ctypes', 'subprocess', '_posixsubprocess', 'multiprocessing', '_multiprocessing',
        'socket', '_socket', 'select', 'selectors', 'ssl', '_ssl', 'asyncio', '_asyncio',
        'webbrowser', 'pty', 'urllib.request', 'http.client', 'http.server', 'socketserver',
        'ftplib', 'smtplib', 'poplib', 'imaplib', 'xmlrpc', 'wsgiref',
    })

    def _is_blocked(name):
        if name in BLOCKED_TOP:
            return True
        top = name.partition('.')[0]
        return top in BLOCKED_TOP

    class SandboxImportBlocker:
        """Refuses modules that reach the host or JavaScript."""
        def find_spec(self, name, path=None, target=None):
            if _is_blocked(name):
                raise ImportError("module '%s' is not available in the sandbox" % name, name=name)
            return None

    # Drop Pyodide's JavaScript import hook and every already-imported FFI module.
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != '_pyodide._importhook']
    sys.meta_path.insert(0, SandboxImportBlocker())
    for name in list(sys.modules):
        if _is_blocked(name):
            del sys.modules[name]

    def _refused(what):
        def refuse(*args, **kwargs):
            raise PermissionError("%s is not allowed in the sandbox" % what)
        refuse.__name__ = what.rpartition('.')[2]
        return refuse

    for mod in (os, posix):
        for fn in ('system', 'popen', 'fork', 'forkpty', 'execv', 'execve', 'execl', 'execle',
                   'execlp', 'execlpe', 'execvp', 'execvpe', 'spawnl', 'spawnle', 'spawnlp',
                   'spawnlpe', 'spawnv', 'spawnve', 'spawnvp', 'spawnvpe', 'posix_spawn',
                   'posix_spawnp', 'kill', 'killpg', 'chroot', 'mount', 'umount'):
            if hasattr(mod, fn):
                setattr(mod, fn, _refused('os.' + fn))

    def _exit(code=0):
        # os._exit would reach Emscripten's process exit; make it an ordinary SystemExit.
        raise SystemExit(code)
    os._exit = posix._exit = _exit

    # SIGINT is how the worker interrupts a run at its deadline: the guest may not ignore it.
    _real_signal = _signal.signal
    def _guarded_signal(signum, handler):
        if signum == _signal.SIGINT:
            raise PermissionError("changing the SIGINT handler is not allowed in the sandbox")
        return _real_signal(signum, handler)
    _signal.signal = signal.signal = _guarded_signal

    # time.sleep blocks the worker without running bytecode, so the interrupt check never
    # fires; sleep in small slices so a deadline still interrupts a sleeping program.
    _real_sleep = time.sleep
    def _sliced_sleep(seconds):
        seconds = float(seconds)
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            _real_sleep(min(left, 0.005))
    time.sleep = _sliced_sleep

    # Deep recursion past this limit overflows the JavaScript stack and kills the
    # interpreter; keep the limit where Python raises RecursionError instead.
    MAX_RECURSION = 20000
    _real_setrecursionlimit = sys.setrecursionlimit
    def _setrecursionlimit(limit):
        _real_setrecursionlimit(min(int(limit), MAX_RECURSION))
    sys.setrecursionlimit = _setrecursionlimit

    # ----------------------------------------------------------------- harness
    _dumps = json.dumps
    _loads = json.loads
    _compile = builtins.compile
    _exec = builtins.exec
    _BaseException = BaseException
    SOURCE_NAME = 'main.py'
    SANDBOX_FILE = '<sandbox>'
    state = {}

    def _flush():
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass

    def _remember_source(code):
        linecache.cache[SOURCE_NAME] = (len(code), None, code.splitlines(True), SOURCE_NAME)

    def _fresh_globals():
        return {'__name__': '__main__', '__builtins__': builtins, '__file__': SOURCE_NAME}

    def _strip(te, depth=0):
        # Hide the sandbox's own frames (this file) from the guest's tracebacks.
        if te is None or depth > 20:
            return
        te.stack = traceback.StackSummary.from_list(
            [f for f in te.stack if f.filename != SANDBOX_FILE])
        _strip(te.__cause__, depth + 1)
        _strip(te.__context__, depth + 1)

    def _format(e, tb):
        try:
            te = traceback.TracebackException(type(e), e, tb, limit=-50)
            _strip(te)
            return ''.join(te.format()).rstrip('\n')
        except BaseException:
            try:
                return '%s: %s' % (type(e).__name__, e)
            except BaseException:
                return type(e).__name__

    def _outcome(e, compiling=False):
        """Maps an exception to the JSON envelope the worker understands."""
        tb = e.__traceback__
        if isinstance(e, KeyboardInterrupt):
            return '{"status":"interrupted"}'
        if isinstance(e, MemoryError):
            return '{"status":"memory"}'
        if isinstance(e, SystemExit):
            code = e.code
            if code is None or code == 0:
                return '{"status":"ok"}'
            return _dumps({'status': 'error', 'message': 'SystemExit: %s' % (code,)})
        if compiling:
            try:
                text = ''.join(traceback.format_exception_only(type(e), e)).rstrip('\n')
            except BaseException:
                text = _format(e, None)
            return _dumps({'status': 'compile_error', 'message': text})
        return _dumps({'status': 'error', 'message': _format(e, tb)})

    def _reseed():
        # Modules imported before the snapshot would replay the same random sequence every run.
        rnd = sys.modules.get('random')
        if rnd is not None:
            rnd.seed()

    def run(code):
        _reseed()
        _remember_source(code)
        try:
            compiled = _compile(code, SOURCE_NAME, 'exec')
        except _BaseException as e:
            return _outcome(e, compiling=True)
        try:
            _exec(compiled, _fresh_globals())
        except _BaseException as e:
            return _outcome(e)
        finally:
            _flush()
        return '{"status":"ok"}'

    def _resolve(g, name):
        owner, dot, attr = name.rpartition('.')
        if dot:
            cls = g.get(owner)
            if cls is None:
                return None
            target = cls() if isinstance(cls, type) else cls
            return getattr(target, attr, None)
        fn = g.get(name)
        if fn is None and isinstance(g.get('Solution'), type):
            fn = getattr(g['Solution'](), name, None)
        return fn

    def judge_load(code, name):
        _reseed()
        _remember_source(code)
        state.clear()
        try:
            compiled = _compile(code, SOURCE_NAME, 'exec')
        except _BaseException as e:
            return _outcome(e, compiling=True)
        g = _fresh_globals()
        try:
            _exec(compiled, g)
            fn = _resolve(g, name)
        except _BaseException as e:
            return _outcome(e)
        finally:
            _flush()
        if not callable(fn):
            return _dumps({'status': 'compile_error',
                           'message': "function '%s' is not defined" % name})
        state['fn'] = fn
        return '{"status":"ok"}'

    def _jsonable(v, depth=0):
        if depth > 200:
            raise ValueError('returned value is nested too deeply')
        if v is None or v is True or v is False or type(v) is str:
            return v
        if isinstance(v, int):
            return int(v)
        if isinstance(v, float):
            if v != v:
                return 'NaN'
            if v in (float('inf'), float('-inf')):
                return 'Infinity' if v > 0 else '-Infinity'
            return v
        if isinstance(v, str):
            return str(v)
        if isinstance(v, (list, tuple)):
            return [_jsonable(x, depth + 1) for x in v]
        if isinstance(v, dict):
            return {str(k): _jsonable(x, depth + 1) for k, x in v.items()}
        if isinstance(v, (set, frozenset)):
            items = [_jsonable(x, depth + 1) for x in v]
            try:
                items.sort()
            except TypeError:
                pass
            return items
        return repr(v)

    def judge_call(args_json):
        fn = state.get('fn')
        try:
            args = _loads(args_json)
            value = _jsonable(fn(*args))
            return _dumps({'status': 'ok', 'value': value})
        except _BaseException as e:
            return _outcome(e)
        finally:
            _flush()

    gc.collect()
    return (run, judge_load, judge_call)

_ringside_setup()
`;
