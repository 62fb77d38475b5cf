package dev.jacflux.service.streaming;

import dev.jacflux.model.io.NpyHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jacflux.model.io.Npz;
import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.support.Exact;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;

/** Reading a body in fragments of any size: the blocks are the library's decoding of the whole file, cut into rows. */
class NpyBatchReaderTest {

    /** {@code bytes} in fragments of random sizes (seeded), as a network delivers them. */
    static Flux<DataBuffer> fragments(byte[] bytes, long seed, int maxFragment) {
        Random r = new Random(seed);
        List<DataBuffer> out = new ArrayList<>();
        for (int pos = 0; pos < bytes.length;) {
            int n = Math.min(bytes.length - pos, 1 + r.nextInt(maxFragment));
            out.add(DefaultDataBufferFactory.sharedInstance.wrap(java.util.Arrays.copyOfRange(bytes, pos, pos + n)));
            pos += n;
        }
        return Flux.fromIterable(out);
    }

    private static NpyBatchReader.Blocks read(byte[] npy, long seed, int maxFragment, long rows) {
        return NpyBatchReader.read(fragments(npy, seed, maxFragment), "body", rows, h -> { }).block();
    }

    @ParameterizedTest
    @CsvSource({"1, 1, 4", "2, 7, 3", "3, 100, 3", "4, 5000, 10", "5, 3, 1", "6, 64, 100"})
    void blocksAreTheWholeArrayCutIntoRows(long seed, int maxFragment, int rowsPerBlock) {
        INDArray x = Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(seed), new long[] {10, 3, 4});
        NpyBatchReader.Blocks b = read(Npz.toNpy(x), seed, maxFragment, rowsPerBlock);
        assertArrayEquals(new long[] {10, 3, 4}, b.header().shape());
        assertEquals((10 + rowsPerBlock - 1) / rowsPerBlock, b.blocks().size());
        long start = 0;
        for (INDArray block : b.blocks()) {
            Exact.assertSameValues(Exact.rows(x, start, start + block.size(0)), block, "rows from " + start);
            start += block.size(0);
        }
        assertEquals(10, start);
    }

    @ParameterizedTest
    @ValueSource(strings = {"float64", "int64", "fortran", "big-endian"})
    void otherDtypesOrdersAndByteOrdersDecodeAsTheLibraryDecodesThem(String kind) {
        INDArray x = Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(9), new long[] {7, 5}).castTo(DataType.DOUBLE);
        byte[] npy = switch (kind) {
            case "int64" -> Npz.toNpy(x.mul(100).castTo(DataType.LONG));
            case "fortran" -> fortran(x);
            case "big-endian" -> bigEndian(x);
            default -> Npz.toNpy(x);
        };
        INDArray whole = Npz.fromNpy(npy, "x");
        NpyBatchReader.Blocks b = read(npy, 3, 11, 2);
        assertEquals(4, b.blocks().size());
        Exact.assertSameValues(whole, Nd4j.concat(0, b.blocks().toArray(INDArray[]::new)), kind);
    }

    @Test
    void headerRefusalStopsReadingAndTruncationIsNamed() {
        byte[] npy = Npz.toNpy(Nd4j.rand(DataType.FLOAT, 600, 4));
        AtomicInteger requested = new AtomicInteger();
        Flux<DataBuffer> body = fragments(npy, 1, 8).doOnNext(b -> requested.incrementAndGet());
        ApiProblem p = assertThrows(ApiProblem.class, () -> NpyBatchReader.read(body, "body", 2, h -> {
            throw ApiProblem.of(dev.jacflux.service.problems.ProblemType.RESULT_TOO_LARGE, "too big");
        }).block());
        assertEquals("too big", p.detail());
        assertThat(requested.get()).as("fragments read of about " + npy.length / 4).isLessThan(100);

        npy = Npz.toNpy(Nd4j.rand(DataType.FLOAT, 6, 4));
        byte[] cut = java.util.Arrays.copyOf(npy, npy.length - 1);
        assertThat(assertThrows(ApiProblem.class, () -> read(cut, 1, 50, 2)).detail())
                .isEqualTo("body: truncated .npy data: [6, 4] float32 needs 96 bytes of data, the body has 95");
        assertThat(assertThrows(ApiProblem.class, () -> read(new byte[0], 1, 5, 2)).detail()).contains("empty body");
    }

    @Test
    void bytesAfterTheArrayAreIgnoredAsTheCommandLineDoes() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 2);
        byte[] npy = Npz.toNpy(x);
        byte[] more = java.util.Arrays.copyOf(npy, npy.length + 10);
        Exact.assertSameValues(x, Nd4j.concat(0, read(more, 2, 9, 2).blocks().toArray(INDArray[]::new)), "trailing bytes");
    }

    static byte[] fortran(INDArray x) {
        byte[] c = Npz.toNpy(x);
        NpyHeader h = NpyHeader.parse(c, c.length, "x");
        byte[] head = new NpyHeader(h.descr(), h.dtype(), h.order(), h.width(), h.unsigned(), true, h.shape(), 0, h.elements(),
                h.dataBytes()).bytes();
        double[] f = x.dup('f').data().asDouble();
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(head.length + f.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.put(head).asDoubleBuffer().put(f);
        return bb.array();
    }

    static byte[] bigEndian(INDArray x) {
        byte[] head = NpyHeader.of(">f8", x.shape()).bytes();
        double[] v = x.dup('c').data().asDouble();
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(head.length + v.length * 8).order(java.nio.ByteOrder.BIG_ENDIAN);
        bb.put(head).asDoubleBuffer().put(v);
        return bb.array();
    }
}
