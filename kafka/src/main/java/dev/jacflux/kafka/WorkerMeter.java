package dev.jacflux.kafka;

import dev.jacflux.metrics.DescribedMeter;
import dev.jacflux.metrics.MeterSpec;
import io.micrometer.core.instrument.Meter;
import java.util.List;

/**
 * Every meter the Kafka worker publishes: its Micrometer name, type, base unit, description and
 * tag keys. In Prometheus the base unit is part of the name, e.g.
 * {@code jacflux_kafka_records_consumed_records_total},
 * {@code jacflux_kafka_consumer_lag_records{topic="batches",partition="3"}},
 * {@code jacflux_kafka_transaction_commit_seconds_count}, {@code jacflux_kafka_paused}.
 * <pre>{@code
 * WorkerMeter.CONSUMER_LAG.meterName();   // "jacflux.kafka.consumer.lag"
 * WorkerMeter.FAILURES.tagKeys();         // [reason]
 * }</pre>
 */
public enum WorkerMeter implements DescribedMeter {
    /** Input records polled. */
    RECORDS_CONSUMED("jacflux.kafka.records.consumed", Meter.Type.COUNTER, "records", "Input records polled by the worker"),
    /** Result records committed, by job. */
    RESULTS_PRODUCED("jacflux.kafka.results.produced", Meter.Type.COUNTER, "records", "Result records committed, by job", "job"),
    /** Failure records committed, by reason. */
    FAILURES("jacflux.kafka.failures", Meter.Type.COUNTER, "records",
            "Failure records committed, by reason (missing-header, not-npy, unknown-model, shape, ...)", "reason"),
    /** Records of an owned partition not yet answered. */
    CONSUMER_LAG("jacflux.kafka.consumer.lag", Meter.Type.GAUGE, "records",
            "Records of an owned input partition not yet answered: behind the log end plus in flight", "topic", "partition"),
    /** Time to run one transaction: sends, offsets, commit. */
    TRANSACTION_COMMIT("jacflux.kafka.transaction.commit", Meter.Type.TIMER, "seconds",
            "Time from beginning a transaction to its commit (results plus consumed offsets)"),
    /** Transactions aborted (their input records are processed again). */
    TRANSACTIONS_ABORTED("jacflux.kafka.transactions.aborted", Meter.Type.COUNTER, "transactions",
            "Transactions aborted; their input records are processed again"),
    /** Rebalance events, by kind. */
    REBALANCES("jacflux.kafka.rebalances", Meter.Type.COUNTER, "events",
            "Partition rebalance events, by kind: assigned, revoked, lost", "kind"),
    /** Records held between poll and commit. */
    IN_FLIGHT("jacflux.kafka.inflight.records", Meter.Type.GAUGE, "records", "Input records polled and not yet committed"),
    /** 1 while the worker's partitions are paused by backpressure or a stop. */
    PAUSED("jacflux.kafka.paused", Meter.Type.GAUGE, "", "1 while the worker's partitions are paused (in-flight bound reached, or stopping)");

    private final MeterSpec spec;

    WorkerMeter(String meterName, Meter.Type type, String baseUnit, String description, String... tagKeys) {
        this.spec = new MeterSpec(meterName, type, baseUnit, description, List.of(tagKeys));
    }

    @Override
    public MeterSpec spec() {
        return spec;
    }
}
