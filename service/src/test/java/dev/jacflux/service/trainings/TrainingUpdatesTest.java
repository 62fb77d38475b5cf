package dev.jacflux.service.trainings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

/** The feed's hot semantics: latest of each training first, then live, no gap, no repeat, never on the publisher's thread. */
class TrainingUpdatesTest {

    static TrainingUpdate update(String id, long step, TrainingState state) {
        return new TrainingUpdate(id, state, "0123456789abcdef", true, step, 100L, 0.5, 0.25, 0.1 * step, 3.0, 1e-5, 1.0, 1.1, 1000.0,
                null, "private", Instant.EPOCH.plusSeconds(step));
    }

    @Test
    void lateSubscriberGetsTheLatestOfEachTrainingThenLiveUpdates() throws InterruptedException {
        TrainingUpdates hub = new TrainingUpdates(Schedulers.single());
        hub.publish(update("a", 1, TrainingState.RUNNING));
        hub.publish(update("b", 1, TrainingState.RUNNING));
        hub.publish(update("a", 2, TrainingState.RUNNING));
        hub.publish(update("b", 2, TrainingState.COMPLETED));
        assertEquals(List.of(update("a", 2, TrainingState.RUNNING), update("b", 2, TrainingState.COMPLETED)), hub.latest());

        List<TrainingUpdate> got = new CopyOnWriteArrayList<>();
        CountDownLatch three = new CountDownLatch(3);
        Disposable d = hub.updates().subscribe(u -> {
            got.add(u);
            three.countDown();
        });
        hub.publish(update("a", 3, TrainingState.RUNNING));
        assertTrue(three.await(10, TimeUnit.SECONDS));
        d.dispose();
        assertEquals(List.of(update("a", 2, TrainingState.RUNNING), update("b", 2, TrainingState.COMPLETED),
                update("a", 3, TrainingState.RUNNING)), got);
    }

    /** Publishing from several threads while subscribers come and go: each sees, per training, increasing steps ending at the last. */
    @Test
    void concurrentSubscribersSeeEveryTrainingsStepsInOrderWithoutRepeats() throws InterruptedException {
        TrainingUpdates hub = new TrainingUpdates(Schedulers.boundedElastic());
        int steps = 2000;
        List<Thread> publishers = new ArrayList<>();
        for (String id : List.of("x", "y")) {
            publishers.add(new Thread(() -> {
                for (int s = 1; s <= steps; s++) {
                    hub.publish(update(id, s, s == steps ? TrainingState.COMPLETED : TrainingState.RUNNING));
                }
            }));
        }
        List<List<TrainingUpdate>> seen = new ArrayList<>();
        List<CountDownLatch> done = new ArrayList<>();
        List<Disposable> subs = new ArrayList<>();
        publishers.forEach(Thread::start);
        for (int i = 0; i < 4; i++) {
            List<TrainingUpdate> mine = new CopyOnWriteArrayList<>();
            CountDownLatch finished = new CountDownLatch(2);
            subs.add(hub.updates().subscribe(u -> {
                mine.add(u);
                if (u.state() == TrainingState.COMPLETED) {
                    finished.countDown();
                }
            }));
            seen.add(mine);
            done.add(finished);
        }
        for (Thread t : publishers) {
            t.join();
        }
        for (int i = 0; i < seen.size(); i++) {
            assertTrue(done.get(i).await(30, TimeUnit.SECONDS), "subscriber " + i + " saw both trainings end");
            for (String id : List.of("x", "y")) {
                long prev = 0;
                for (TrainingUpdate u : seen.get(i)) {
                    if (u.id().equals(id)) {
                        assertTrue(u.step() > prev, "subscriber " + i + ", training " + id + ": step " + u.step() + " after " + prev);
                        prev = u.step();
                    }
                }
                assertEquals(steps, prev);
            }
        }
        subs.forEach(Disposable::dispose);
    }

    @Test
    void subscribersRunOnTheDeliverySchedulerNotOnThePublisher() throws InterruptedException {
        TrainingUpdates hub = new TrainingUpdates(Schedulers.newSingle("feed-test"));
        CountDownLatch one = new CountDownLatch(1);
        String[] thread = new String[1];
        Disposable d = hub.updates().subscribe(u -> {
            thread[0] = Thread.currentThread().getName();
            one.countDown();
        });
        hub.publish(update("a", 1, TrainingState.RUNNING));
        assertTrue(one.await(10, TimeUnit.SECONDS));
        d.dispose();
        assertNotEquals(Thread.currentThread().getName(), thread[0]);
        assertTrue(thread[0].startsWith("feed-test"), thread[0]);
    }

    /** Publishing never waits for a subscriber (it would hang here, stopped by the timeout). */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void aSubscriberThatNeverRequestsDoesNotBlockPublishing() {
        TrainingUpdates hub = new TrainingUpdates(Schedulers.single());
        hub.updates().subscribe(new reactor.core.publisher.BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                // requests nothing
            }
        });
        for (int s = 1; s <= 3 * TrainingFeed.BUFFER; s++) {
            hub.publish(update("a", s, TrainingState.RUNNING));
        }
        assertEquals(3L * TrainingFeed.BUFFER, hub.latest().get(0).step());
    }
}
