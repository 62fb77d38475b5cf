package dev.jacflux.service.trainings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The Server-Sent Events of one training: one event per released step, {@code id:} the step
 * number, {@code data:} the step's line of {@code steps.ndjson} (the {@code StepResult} JSON), then,
 * once the training has ended, one {@code event: end} whose data is
 * {@code {"id", "state", "step", "stop_reason", "error"}} (it has no id, so a client's
 * {@code Last-Event-ID} stays the last step).
 *
 * <p>A stream starts after step {@code after} (the {@code Last-Event-ID} of a reconnecting client):
 * it replays the finished steps from the persisted log, then follows the training live. It reads
 * the log itself, up to the step the training has announced (which is on disk before it is
 * announced), with a byte cursor of its own: nothing is missed between the replay and the live part,
 * nothing is sent twice, and a slow client holds back no one (announcements it has not taken yet
 * collapse into the latest; it then reads on from its cursor). When the service stops, the stream
 * ends without an {@code end} event: an {@code EventSource} reconnects with its
 * {@code Last-Event-ID} and continues on the restarted service.
 *
 * <pre>{@code
 * id: 41
 * data: {"step": 41, "epoch": 2.05, "batch_size": 49, "loss": 0.61, ..., "epsilon": 2.95, ...}
 *
 * event: end
 * data: {"id": "5f0c2a9e41b7d388", "state": "completed", "step": 100, "stop_reason": "epochs", "error": null}
 * }</pre>
 */
final class TrainingEvents {
    /** Lines read from the log at a time. */
    static final int CHUNK = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingEvents() {
    }

    /** The events of {@code run} after step {@code after}. */
    static Flux<ServerSentEvent<String>> of(TrainingRun run, long after) {
        return Flux.defer(() -> {
            StepLog.Cursor cursor = run.log().cursor(after);
            Flux<ServerSentEvent<String>> steps = run.releases()
                    .onBackpressureLatest()
                    .publishOn(Schedulers.boundedElastic(), 1)
                    .concatMap(upTo -> Flux.<List<StepLog.Line>>generate(sink -> {
                        List<StepLog.Line> chunk = cursor.read(upTo, CHUNK);
                        if (chunk.isEmpty()) {
                            sink.complete();
                        } else {
                            sink.next(chunk);
                        }
                    }).subscribeOn(Schedulers.boundedElastic()), 1)
                    .concatMapIterable(lines -> lines)
                    .map(line -> ServerSentEvent.builder(line.json()).id(Long.toString(line.step())).build());
            return steps.concatWith(Mono.fromCallable(() -> end(run.status()))).takeUntilOther(run.closing());
        });
    }

    private static ServerSentEvent<String> end(TrainingStatus s) throws JsonProcessingException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("state", s.state().wire());
        m.put("step", s.step());
        m.put("stop_reason", s.stopReason());
        m.put("error", s.error());
        return ServerSentEvent.builder(JSON.writeValueAsString(m)).event("end").build();
    }
}
