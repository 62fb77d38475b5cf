package dev.jacflux.service.streaming;

import dev.jacflux.model.io.NpyHeader;
import dev.jacflux.model.ModelException;
import dev.jacflux.model.io.Npz;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reads a {@code .npy} array from a request body as it arrives and cuts it into blocks of at most
 * {@code rowsPerBlock} rows (the service's batches). The header is checked as soon as it has
 * arrived ({@code onHeader} may refuse it, which stops reading); each block is decoded by the
 * library's {@link Npz#fromNpy} as soon as its bytes are in, so the heap holds one block's bytes at
 * a time and the decoded blocks live off-heap. Fortran-order arrays (rows not contiguous) are
 * read whole first, then cut.
 *
 * <pre>{@code
 * Mono<NpyBatchReader.Blocks> in = NpyBatchReader.read(request.body(BodyExtractors.toDataBuffers()), "body", 256,
 *         header -> checkAgainstModel(header));
 * }</pre>
 */
public final class NpyBatchReader {
    private NpyBatchReader() {
    }

    /**
     * A decoded array as consecutive row blocks.
     *
     * @param header the array's header
     * @param blocks the rows, in order, each a C-order array of at most the requested rows
     */
    public record Blocks(NpyHeader header, List<INDArray> blocks) {
    }

    /**
     * Reads {@code body} as one {@code .npy} array in blocks of {@code rowsPerBlock} rows.
     *
     * @param where names the part for messages, e.g. {@code part 'input'}
     * @param onHeader checks the header before any data are read; throws an {@link ApiProblem} to refuse
     */
    public static Mono<Blocks> read(Flux<DataBuffer> body, String where, long rowsPerBlock, Consumer<NpyHeader> onHeader) {
        return Mono.defer(() -> {
            Accumulator acc = new Accumulator(where, rowsPerBlock, onHeader);
            return body.publishOn(Schedulers.boundedElastic(), 4)
                    .<Void>handle((buf, sink) -> {
                        try {
                            acc.accept(buf);
                        } catch (RuntimeException e) {
                            sink.error(e);
                        } finally {
                            DataBufferUtils.release(buf);
                        }
                    })
                    .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                    .then(Mono.fromCallable(acc::finish));
        });
    }

    /** Reads {@code body} as one {@code .npy} array, whole (e.g. targets). */
    public static Mono<Blocks> readWhole(Flux<DataBuffer> body, String where, Consumer<NpyHeader> onHeader) {
        return read(body, where, Long.MAX_VALUE, onHeader);
    }

    /** The state of one read. */
    private static final class Accumulator {
        private final String where;
        private final long rowsPerBlock;
        private final Consumer<NpyHeader> onHeader;
        private byte[] head = new byte[128];
        private int headFill;
        private NpyHeader header;
        private long rowBytes;
        private final List<INDArray> out = new ArrayList<>();
        // row-block mode
        private byte[] block;
        private int blockPrefix;
        private int blockFill;
        private long blockFirstRow;
        private long blockRows;
        private long rowsTaken;
        // whole-array mode (Fortran order)
        private byte[] whole;
        private int wholeFill;

        Accumulator(String where, long rowsPerBlock, Consumer<NpyHeader> onHeader) {
            this.where = where;
            this.rowsPerBlock = Math.max(1, rowsPerBlock);
            this.onHeader = onHeader;
        }

        void accept(DataBuffer buf) {
            while (buf.readableByteCount() > 0) {
                if (header == null) {
                    readHeader(buf);
                } else if (whole != null) {
                    int n = Math.min(buf.readableByteCount(), whole.length - wholeFill);
                    if (n == 0) {
                        return;   // bytes after the array are ignored, as the command line does
                    }
                    buf.read(whole, wholeFill, n);
                    wholeFill += n;
                } else {
                    if (block == null && !startBlock()) {
                        return;   // all rows read; trailing bytes ignored
                    }
                    int n = Math.min(buf.readableByteCount(), block.length - blockPrefix - blockFill);
                    buf.read(block, blockPrefix + blockFill, n);
                    blockFill += n;
                    completeBlocks();
                }
            }
        }

        private void readHeader(DataBuffer buf) {
            int need = headerLength();
            int want = need < 0 ? 12 - headFill : need - headFill;
            if (want <= 0) {
                want = 1;
            }
            if (head.length < headFill + want) {
                head = java.util.Arrays.copyOf(head, headFill + want);
            }
            int n = Math.min(want, buf.readableByteCount());
            buf.read(head, headFill, n);
            headFill += n;
            int length = headerLength();
            if (length < 0 || headFill < length) {
                if (length > head.length) {
                    head = java.util.Arrays.copyOf(head, length);
                }
                return;
            }
            try {
                header = NpyHeader.parse(head, headFill, where);
            } catch (ModelException e) {
                throw ApiProblem.of(ProblemType.BAD_INPUT, e.getMessage(), e);
            }
            onHeader.accept(header);
            rowBytes = header.rowBytes();
            if (!header.rowsContiguous()) {
                long total = header.headerBytes() + header.dataBytes();
                if (total > Integer.MAX_VALUE - 16) {
                    throw bad("a Fortran-order array of " + header.dataBytes() + " bytes is too large to read whole; save it in C order"
                            + " (numpy.ascontiguousarray) so that it can be streamed");
                }
                whole = new byte[(int) total];
                System.arraycopy(head, 0, whole, 0, (int) header.headerBytes());
                wholeFill = (int) header.headerBytes();
            } else {
                if (rowBytes > Integer.MAX_VALUE - 4096) {
                    throw bad("one row of " + header.describe() + " has " + rowBytes + " bytes, more than can be read at once");
                }
                completeBlocks();   // zero-byte rows complete without data
            }
        }

        /** The whole header's length once its first bytes are in, else -1; a 400 if they are not the start of a {@code .npy}. */
        private int headerLength() {
            try {
                return NpyHeader.length(head, headFill, where);
            } catch (ModelException e) {
                throw ApiProblem.of(ProblemType.BAD_INPUT, e.getMessage(), e);
            }
        }

        /** Starts the next block; false if every row is taken. */
        private boolean startBlock() {
            if (rowsTaken >= header.rows()) {
                return false;
            }
            long maxByBytes = rowBytes == 0 ? Long.MAX_VALUE : Math.max(1, (Integer.MAX_VALUE - 4096) / rowBytes);
            blockRows = Math.min(Math.min(rowsPerBlock, maxByBytes), header.rows() - rowsTaken);
            blockFirstRow = rowsTaken;
            rowsTaken += blockRows;
            byte[] prefix = header.shape().length == 0 ? header.withRows(1).bytes() : header.withRows(blockRows).bytes();
            blockPrefix = prefix.length;
            block = new byte[(int) (prefix.length + blockRows * rowBytes)];
            System.arraycopy(prefix, 0, block, 0, prefix.length);
            blockFill = 0;
            return true;
        }

        private void completeBlocks() {
            while (true) {
                if (block == null && !startBlock()) {
                    return;
                }
                if (blockPrefix + blockFill < block.length) {
                    return;
                }
                String rows = header.shape().length == 0 ? where : where + ", rows " + blockFirstRow + ".." + (blockFirstRow + blockRows - 1);
                out.add(decode(block, rows));
                block = null;
            }
        }

        private INDArray decode(byte[] npy, String what) {
            try {
                return Npz.fromNpy(npy, what);
            } catch (ModelException e) {
                throw ApiProblem.of(ProblemType.BAD_INPUT, e.getMessage(), e);
            }
        }

        Blocks finish() {
            if (header == null) {
                throw bad(headFill == 0 ? "empty body; expected a .npy array saved with numpy.save" : "truncated .npy header;"
                        + " expected an array saved with numpy.save");
            }
            if (whole != null) {
                if (wholeFill < whole.length) {
                    throw truncated(wholeFill - header.headerBytes());
                }
                INDArray all = decode(whole, where);
                whole = null;
                for (long start = 0; start < header.rows(); start += rowsPerBlock) {
                    long end = Math.min(header.rows(), start + rowsPerBlock);
                    INDArrayIndex[] idx = new INDArrayIndex[all.rank()];
                    idx[0] = NDArrayIndex.interval(start, end);
                    for (int i = 1; i < idx.length; i++) {
                        idx[i] = NDArrayIndex.all();
                    }
                    out.add(start == 0 && end == header.rows() ? all : all.get(idx).dup('c'));
                }
                return new Blocks(header, List.copyOf(out));
            }
            if (block != null || rowsTaken < header.rows()) {
                throw truncated(block == null ? rowsTaken * rowBytes : blockFirstRow * rowBytes + blockFill);
            }
            return new Blocks(header, List.copyOf(out));
        }

        private ApiProblem truncated(long got) {
            return bad("truncated .npy data: " + header.describe() + " needs " + header.dataBytes() + " bytes of data, the body has "
                    + got);
        }

        private ApiProblem bad(String what) {
            return ApiProblem.of(ProblemType.BAD_INPUT, where + ": " + what);
        }
    }
}
