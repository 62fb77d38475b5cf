package dev.jacflux.cli;

import dev.jacflux.config.NonFinitePolicy;
import dev.jacflux.pipeline.InputChecks;
import dev.jacflux.pipeline.NonFiniteInputException;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --non-finite-policy reject|allow}: what the commands do with NaN or infinities in the
 * files they read (inputs, float targets, weights), with the pipeline's policy names and check
 * ({@link NonFinitePolicy}, {@link InputChecks#requireFinite}). The default, {@code reject}, is the
 * pipeline's: the run stops with exit code 2 and a line naming the file and the first non-finite
 * element; {@code allow} computes anyway (NaN and infinities propagate into the result).
 *
 * <pre>{@code
 * @Mixin NonFiniteOption nonFinite;
 * nonFinite.check(x, input + " (--input)");   // BadInputException on NaN/Inf unless allowed
 * }</pre>
 */
public final class NonFiniteOption {
    @Option(names = "--non-finite-policy", paramLabel = "reject|allow", defaultValue = "reject", converter = PolicyConverter.class,
            description = "NaN or infinities in the input, targets or weights: reject (exit 2 naming the first one; default) or allow"
                    + " (compute anyway).")
    NonFinitePolicy policy;

    /** The policy in force. */
    public NonFinitePolicy policy() {
        return policy;
    }

    /**
     * Applies the policy to one array read from a file.
     *
     * @param what the file and option, e.g. {@code "x.npy (--input)"}
     * @throws BadInputException naming {@code what}, the first non-finite element and its index
     */
    public void check(INDArray a, String what) {
        try {
            InputChecks.requireFinite(a, what, policy);
        } catch (NonFiniteInputException e) {
            throw new BadInputException(e.getMessage() + "; --non-finite-policy allow computes anyway", e);
        }
    }

    /** {@code reject} / {@code allow} (case-insensitive), as in the pipeline's configuration. */
    public static final class PolicyConverter implements ITypeConverter<NonFinitePolicy> {
        @Override
        public NonFinitePolicy convert(String value) {
            try {
                return NonFinitePolicy.fromConfigName(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
