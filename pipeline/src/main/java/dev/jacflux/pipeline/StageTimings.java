package dev.jacflux.pipeline;

import java.time.Duration;

/**
 * Where a batch's time went.
 *
 * <pre>{@code
 * StageTimings t = result.timings();
 * System.out.println(t.forward().toMillis() + " ms forward, " + t.chunks() + " chunks");
 * }</pre>
 *
 * @param forward validation and forward pass
 * @param vjp sum of the chunk computations (across rails, so it can exceed the wall time)
 * @param assembly sum of the chunk writes into the result
 * @param total wall time from admission to result
 * @param chunks number of chunks
 */
public record StageTimings(Duration forward, Duration vjp, Duration assembly, Duration total, int chunks) {
}
