// The shell: header, routes (screens with editors load lazily), notifications.
import { ErrorBoundary, lazy, LocationProvider, Route, Router } from 'preact-iso';
import { ArenaNotifications } from './components/arena-notifications';
import { Header } from './components/header';
import { Toasts } from './components/toasts';
import { Home } from './pages/home';
import { NotFound } from './pages/not-found';
import { SignIn } from './pages/sign-in';

const Pads = lazy(() => import('./pages/pads').then((m) => m.Pads));
const Rooms = lazy(() => import('./chat/rooms-page').then((m) => m.RoomsPage));
const Room = lazy(() => import('./chat/room-page').then((m) => m.RoomPage));
const Battles = lazy(() => import('./battle/battles-page').then((m) => m.BattlesPage));
const Leaderboard = lazy(() => import('./pages/leaderboard').then((m) => m.Leaderboard));
const Problems = lazy(() => import('./pages/leaderboard').then((m) => m.Problems));
const Runner = lazy(() => import('./runner/runner-page').then((m) => m.RunnerPage));
const Profile = lazy(() => import('./pages/profile').then((m) => m.Profile));
const Teams = lazy(() => import('./battle/teams-page').then((m) => m.TeamsPage));
const Pad = lazy(() => import('./pad/pad-page').then((m) => m.PadPage));

export function App() {
  return (
    <LocationProvider>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <ErrorBoundary>
          <Router>
            <Route path="/" component={Home} />
            <Route path="/signin" component={SignIn} />
            <Route path="/signup" component={SignIn} />
            <Route path="/pads" component={Pads} />
            <Route path="/pad/:id" component={Pad} />
            {/* The spec's word for a pad is a session. */}
            <Route path="/sessions" component={Pads} />
            <Route path="/sessions/:id" component={Pad} />
            <Route path="/chat" component={Rooms} />
            <Route path="/chat/:host/:slug" component={Room} />
            <Route path="/battles" component={Battles} />
            <Route path="/leaderboard" component={Leaderboard} />
            <Route path="/problems" component={Problems} />
            <Route path="/runner" component={Runner} />
            <Route path="/profile" component={Profile} />
            <Route path="/teams" component={Teams} />
            <Route default component={NotFound} />
          </Router>
        </ErrorBoundary>
      </main>
      <Toasts />
      <ArenaNotifications />
    </LocationProvider>
  );
}
