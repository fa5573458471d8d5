"""The composition root: one event store, its read models and their runners, for API, CLI and workers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kamcore.application import KamApplication
from kamcore.audit.chain import open_chain_keeper
from kamcore.domain.values import today
from kamcore.projections.account_summary_view import AccountSummaryView
from kamcore.projections.catalog import all_projections
from kamcore.projections.feedback_records_view import FeedbackRecordsView
from kamcore.projections.market_research_view import MarketResearchView
from kamcore.projections.one_pass import SharedFollower, catch_up_in_one_pass
from kamcore.projections.people_programme_view import PeopleView, ProgrammeView
from kamcore.projections.product_catalogue import ProductCatalogueView
from kamcore.projections.ranking_view import RankingView
from kamcore.projections.relationship_activity_view import RelationshipActivityView
from kamcore.projections.runner import ProjectionRunner, ProjectionStatus
from kamcore.projections.sales_records_view import SalesRecordsView
from kamcore.projections.store import ReadModelStore
from kamcore.settings import Settings

log = logging.getLogger(__name__)


class Runtime:
    """Opens the stores for the configured backend; `start()` follows the log in background threads.

    With `run_projections=False` (API processes next to separate `kamcore project` workers on
    PostgreSQL) read-your-writes waits by polling the tracking position the workers write.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.backend = settings.backend()
        self.backend.prepare()
        self.app = KamApplication(env=self.backend.application_env(KamApplication.name))
        self.stores = {p.name: ReadModelStore(self.backend, p) for p in all_projections()}
        self.runners = {
            name: ProjectionRunner(self.app, store, batch_size=settings.projection_batch_size)
            for name, store in self.stores.items()
        }
        self.accounts = AccountSummaryView(self.stores["account_summary"])
        self.rankings = RankingView(self.stores["ranking_facts"], self.app.name)
        self.sales = SalesRecordsView(self.stores["sales_records"])
        self.activity = RelationshipActivityView(self.stores["relationship_activity"])
        self.people = PeopleView(self.stores["people_programme"])
        self.feedback = FeedbackRecordsView(self.stores["feedback_records"])
        self.market = MarketResearchView(self.stores["market_research"])
        self.programme = ProgrammeView(
            self.stores["people_programme"], self.stores["ranking_facts"], self.stores["kpi_measures"]
        )
        self.products = ProductCatalogueView(self.stores["product_catalogue"])
        # Follows the log like the read models but is not one: never rebuilt, and reads do not wait for it.
        self.chain_keeper = open_chain_keeper(settings, self.backend, self.app)
        self.follower = SharedFollower(self.app, list(self.runners.values()), batch_size=settings.projection_batch_size)
        self._followers: list[ProjectionRunner] = [*self.runners.values(), self.chain_keeper]
        self._stop = threading.Event()
        self._unwatch: Callable[[], None] | None = None

    def catch_up(self) -> None:
        """Bring the read models to the head in one shared pass over the log, then the chain keeper."""
        catch_up_in_one_pass(self.app, list(self.runners.values()), batch_size=self.settings.projection_batch_size)
        self.chain_keeper.catch_up()

    def start(self) -> None:
        """Catch up, then follow: in-process saves wake runners at once, other processes via the backend."""
        self.catch_up()
        for follower in (self.follower, self.chain_keeper):
            self.app.on_saved(follower.wake)
            follower.start()
        self._unwatch = self.backend.watch(self.app, self._wake_all, self._stop)
        self.rankings.warm(today())

    def _wake_all(self) -> None:
        self.follower.wake()
        self.chain_keeper.wake()

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        """Read-your-writes: True once every read model includes `position`."""
        return all(runner.wait_for(position, timeout) for runner in self.runners.values())

    def status(self) -> list[ProjectionStatus]:
        return [runner.status() for runner in self._followers]

    def readiness(self) -> str:
        """`failing` (a read model stopped), `warming` (the start-up ranking is still being computed) or `ready`."""
        if any(follower.error for follower in self._followers):  # what /healthz reports, without its position reads
            return "failing"
        return "ready" if self.rankings.warm_done else "warming"

    def close(self) -> None:
        self._stop.set()
        self.rankings.close()
        self.follower.stop()
        self.chain_keeper.stop()
        if self._unwatch:
            self._unwatch()
        for store in [*self.stores.values(), self.chain_keeper.store]:
            store.close()
        self.app.close()
