package dev.jacflux.service.jobs;

import dev.jacflux.model.Loss;
import java.util.Locale;

/**
 * The losses of {@code POST /v1/models/{id}/grads?loss=...}, named as on the command line:
 * {@code cross_entropy} (outputs are logits, as PyTorch's {@code F.cross_entropy}; targets are
 * integer class indices {@code [B]}) and {@code mse} (averaged over each sample's outputs; targets
 * of the output's shape {@code [B, *out]}).
 *
 * <pre>{@code
 * LossChoice.parse("cross_entropy").loss();   // Loss.crossEntropy()
 * }</pre>
 */
public enum LossChoice {
    /** Cross-entropy on logits and class indices. */
    CROSS_ENTROPY("cross_entropy"),
    /** Mean squared error per sample. */
    MSE("mse");

    private final String queryName;

    LossChoice(String queryName) {
        this.queryName = queryName;
    }

    /** The name in the query string. */
    public String queryName() {
        return queryName;
    }

    /** The loss. */
    public Loss loss() {
        return this == CROSS_ENTROPY ? Loss.crossEntropy() : Loss.mse();
    }

    /** Parses {@code cross_entropy} (or {@code cross-entropy}) and {@code mse}, case-insensitively; null if unknown. */
    public static LossChoice parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (LossChoice l : values()) {
            if (l.queryName.equals(v)) {
                return l;
            }
        }
        return null;
    }
}
