package dev.jacflux.kafka;

import dev.jacflux.model.Loss;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The values of the {@code jacflux-loss} header: {@code cross_entropy} (outputs are logits,
 * targets integer class indices {@code [B]}) and {@code mse} (averaged over each sample's outputs,
 * targets of the output's shape {@code [B, *out]}); the same losses as the command line's
 * {@code --loss}.
 *
 * <pre>{@code
 * Loss l = WorkerLoss.parse("mse").orElseThrow().loss();
 * }</pre>
 */
public enum WorkerLoss {
    /** Cross-entropy on logits and integer class indices. */
    CROSS_ENTROPY("cross_entropy"),
    /** Mean squared error per sample. */
    MSE("mse");

    private final String headerValue;

    WorkerLoss(String headerValue) {
        this.headerValue = headerValue;
    }

    /** The header value. */
    public String headerValue() {
        return headerValue;
    }

    /** The loss. */
    public Loss loss() {
        return this == CROSS_ENTROPY ? Loss.crossEntropy() : Loss.mse();
    }

    /** The loss of a header value ({@code cross_entropy}, also {@code cross-entropy}; {@code mse}). */
    public static Optional<WorkerLoss> parse(String headerValue) {
        String v = headerValue.replace('-', '_');
        return Arrays.stream(values()).filter(l -> l.headerValue.equals(v)).findFirst();
    }

    /** {@code cross_entropy | mse}, for messages. */
    public static String choices() {
        return Arrays.stream(values()).map(WorkerLoss::headerValue).collect(Collectors.joining(" | "));
    }
}
