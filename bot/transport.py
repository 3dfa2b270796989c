"""The connection to Telegram for everything but getUpdates: several small pools, not one big one.

httpcore walks every connection of its pool twice per request (asking the socket whether the
server closed it), so the CPU a request costs grows with the pool. A paid broadcast keeps
about 128 sends in flight (Telegram's round trip is ~100 ms); in one pool of 128 that walk
costs more than the send itself. Shards of a few connections each keep the walk short, and
each request goes to the least busy shard.
"""

from __future__ import annotations

import math

from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, HTTPXRequest, RequestData

CONNECTIONS_PER_SHARD = 8


class ShardedRequest(BaseRequest):
    """Up to `connections` requests at once, spread over pools of CONNECTIONS_PER_SHARD."""

    def __init__(self, connections: int) -> None:
        shards = max(1, math.ceil(connections / CONNECTIONS_PER_SHARD))
        self._shards = [
            HTTPXRequest(connection_pool_size=CONNECTIONS_PER_SHARD) for _ in range(shards)
        ]
        self._busy = [0] * shards

    @property
    def in_flight(self) -> tuple[int, ...]:
        """Requests under way, per shard."""
        return tuple(self._busy)

    @property
    def read_timeout(self) -> float | None:
        return self._shards[0].read_timeout

    async def initialize(self) -> None:
        for shard in self._shards:
            await shard.initialize()

    async def shutdown(self) -> None:
        for shard in self._shards:
            await shard.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        index = self._busy.index(min(self._busy))
        self._busy[index] += 1
        try:
            return await self._shards[index].do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        finally:
            self._busy[index] -= 1
