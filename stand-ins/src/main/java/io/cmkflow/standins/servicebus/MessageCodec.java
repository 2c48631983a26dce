package io.cmkflow.standins.servicebus;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.AmqpSequence;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Footer;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.DroppingWritableBuffer;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.codec.ReadableBuffer;
import org.apache.qpid.proton.message.Message;

/** AMQP message encoding the stand-in needs beyond proton-j's {@link Message}: batches and .NET lock tokens. */
final class MessageCodec {

    /** Message format of a Service Bus batch: an envelope followed by one Data section per encoded message. */
    static final int BATCH_MESSAGE_FORMAT = 0x80013700;

    private static final int GUID_SIZE = 16;

    private static final ThreadLocal<DecoderImpl> SECTION_DECODER = ThreadLocal.withInitial(MessageCodec::newDecoder);

    private final DecoderImpl decoder = newDecoder();

    MessageCodec() {
    }

    private static DecoderImpl newDecoder() {
        DecoderImpl decoder = new DecoderImpl();
        AMQPDefinedTypes.registerAllTypes(decoder, new EncoderImpl(decoder));
        return decoder;
    }

    /**
     * The encoded body sections and footer of a message, as sent. proton-j's {@link Message} holds one body section
     * only, so a message with several Data or AmqpSequence sections (pyamqp sends one per list) would lose all but
     * one on a decode and encode; these bytes go back to the client unchanged instead.
     */
    static byte[] bodyAndFooter(byte[] payload) {
        DecoderImpl sectionDecoder = SECTION_DECODER.get();
        ReadableBuffer buffer = ReadableBuffer.ByteBufferReader.wrap(ByteBuffer.wrap(payload));
        sectionDecoder.setBuffer(buffer);
        try {
            while (buffer.hasRemaining()) {
                int start = buffer.position();
                Object section = sectionDecoder.readObject();
                if (section instanceof Data || section instanceof AmqpSequence || section instanceof AmqpValue
                        || section instanceof Footer) {
                    byte[] rest = new byte[payload.length - start];
                    System.arraycopy(payload, start, rest, 0, rest.length);
                    return rest;
                }
            }
            return new byte[0];
        } finally {
            sectionDecoder.setBuffer(null);
        }
    }

    /** {@code message} without its body and footer, followed by {@code bodyAndFooter}. */
    static byte[] encodeWithBody(Message message, byte[] bodyAndFooter) {
        message.setBody(null);
        message.setFooter(null);
        byte[] head = encode(message);
        byte[] whole = new byte[head.length + bodyAndFooter.length];
        System.arraycopy(head, 0, whole, 0, head.length);
        System.arraycopy(bodyAndFooter, 0, whole, head.length, bodyAndFooter.length);
        return whole;
    }

    static Message decode(byte[] bytes) {
        Message message = Proton.message();
        message.decode(bytes, 0, bytes.length);
        return message;
    }

    static byte[] encode(Message message) {
        // A counting pass gives the size; the encoder still wants headroom for worst-case compound sizes.
        DroppingWritableBuffer counter = new DroppingWritableBuffer();
        message.encode(counter);
        byte[] buffer = new byte[counter.position() + 1024];
        while (true) {
            try {
                int size = message.encode(buffer, 0, buffer.length);
                byte[] exact = new byte[size];
                System.arraycopy(buffer, 0, exact, 0, size);
                return exact;
            } catch (BufferOverflowException e) {
                buffer = new byte[buffer.length * 2];
            }
        }
    }

    /** The encoded messages carried by a batch transfer, in order; the envelope's own sections are dropped. */
    List<byte[]> splitBatch(byte[] payload) {
        ReadableBuffer buffer = ReadableBuffer.ByteBufferReader.wrap(ByteBuffer.wrap(payload));
        decoder.setBuffer(buffer);
        List<byte[]> messages = new ArrayList<>();
        try {
            while (buffer.hasRemaining()) {
                Object section = decoder.readObject();
                if (section instanceof Data data) {
                    Binary binary = data.getValue();
                    byte[] bytes = new byte[binary.getLength()];
                    System.arraycopy(binary.getArray(), binary.getArrayOffset(), bytes, 0, bytes.length);
                    messages.add(bytes);
                }
            }
        } finally {
            decoder.setBuffer(null);
        }
        return messages;
    }

    /** A lock token as a delivery tag: 16 bytes in .NET Guid order, which is how the client reads it back. */
    static byte[] lockTokenTag(UUID token) {
        ByteBuffer javaOrder = ByteBuffer.allocate(GUID_SIZE);
        javaOrder.putLong(token.getMostSignificantBits());
        javaOrder.putLong(token.getLeastSignificantBits());
        byte[] java = javaOrder.array();
        byte[] dotNet = java.clone();
        for (int i = 0; i < 4; i++) {
            dotNet[i] = java[3 - i];
        }
        dotNet[4] = java[5];
        dotNet[5] = java[4];
        dotNet[6] = java[7];
        dotNet[7] = java[6];
        return dotNet;
    }
}
