package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/incidentbot/incidentbot/prompts"
	goopenai "github.com/sashabaranov/go-openai"
)

// Chat sends conversations to a server's chat completions endpoint. It is
// safe for concurrent use.
type Chat struct {
	conn *conn
	// base holds the per-request settings, already adapted to the model.
	base goopenai.ChatCompletionRequest
}

// NewChat checks cfg and returns a Chat. It makes no request.
func NewChat(cfg Config) (*Chat, error) {
	c, err := newConn(cfg)
	if err != nil {
		return nil, err
	}
	base := goopenai.ChatCompletionRequest{
		Model:       cfg.Model,
		MaxTokens:   cfg.MaxTokens,
		Temperature: cfg.Temperature,
	}
	if base.Temperature == 0 {
		base.Temperature = zeroTemperature
	}
	wanted := base.Temperature
	base, err = adaptToModel(base)
	if err != nil {
		return nil, fmt.Errorf("openai: model %s: %w", cfg.Model, err)
	}
	if base.Temperature != wanted {
		c.log.Info("openai: this model does not accept a temperature; not sending one", "model", c.name())
	}
	return &Chat{conn: c, base: base}, nil
}

// adaptToModel rewrites settings that go-openai refuses, client-side, for
// OpenAI's reasoning models (o1, o3, o4, gpt-5…): they take
// max_completion_tokens instead of max_tokens, and no temperature, which
// includes the tiny stand-in for 0.
func adaptToModel(req goopenai.ChatCompletionRequest) (goopenai.ChatCompletionRequest, error) {
	v := goopenai.NewReasoningValidator()
	err := v.Validate(req)
	if errors.Is(err, goopenai.ErrReasoningModelMaxTokensDeprecated) {
		req.MaxCompletionTokens, req.MaxTokens = req.MaxTokens, 0
		err = v.Validate(req)
	}
	if errors.Is(err, goopenai.ErrReasoningModelLimitationsOther) || errors.Is(err, goopenai.ErrReasoningSamplingUnsupported) {
		req.Temperature = 0
		err = v.Validate(req)
	}
	return req, err
}

// Model is the configured model name.
func (c *Chat) Model() string { return c.conn.model }

// Chat sends msgs and returns the reply. When onDelta is non-nil the reply
// is streamed and onDelta is called with each new piece of text as it
// arrives, from the calling goroutine.
//
// A failed attempt is retried only while nothing has been passed to
// onDelta, so the caller never sees text twice. If the stream breaks later,
// Chat returns the text delivered so far together with the error.
func (c *Chat) Chat(ctx context.Context, msgs []prompts.Message, onDelta func(delta string)) (string, error) {
	req := c.base
	req.Messages = make([]goopenai.ChatCompletionMessage, len(msgs))
	for i, m := range msgs {
		req.Messages[i] = goopenai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}

	var text string
	var err error
	if onDelta == nil {
		err = c.conn.do(ctx, "chat", func(a attempt) error {
			var aerr error
			text, aerr = c.complete(a, req)
			return aerr
		})
	} else {
		var sb strings.Builder
		err = c.conn.do(ctx, "chat", func(a attempt) error {
			return c.stream(a, req, &sb, onDelta)
		})
		text = sb.String()
	}
	return text, err
}

func (c *Chat) complete(a attempt, req goopenai.ChatCompletionRequest) (string, error) {
	resp, err := c.conn.client.CreateChatCompletion(a.ctx, req)
	if err != nil {
		return "", err
	}
	if len(resp.Choices) == 0 {
		return "", errNoChoices
	}
	return resp.Choices[0].Message.Content, nil
}

// errNoChoices and errTruncated stand for replies that ended early. They
// wrap io.ErrUnexpectedEOF so that they count as an unavailable server and
// may be retried.
var (
	errNoChoices = fmt.Errorf("reply had no choices: %w", io.ErrUnexpectedEOF)
	errTruncated = fmt.Errorf("stream ended without a finish reason: %w", io.ErrUnexpectedEOF)
)

// stream runs one streaming attempt, appending delivered text to sb.
func (c *Chat) stream(a attempt, req goopenai.ChatCompletionRequest, sb *strings.Builder, onDelta func(string)) error {
	s, err := c.conn.client.CreateChatCompletionStream(a.ctx, req)
	if err != nil {
		return err
	}
	defer s.Close()

	finished := false
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			// go-openai reports "data: [DONE]" and a connection that simply
			// closed mid-reply alike, as io.EOF; only a finish reason tells
			// a complete reply from a cut one.
			if !finished {
				err = errTruncated
			} else {
				return nil
			}
		}
		if err != nil {
			if sb.Len() > 0 {
				return permanentError{fmt.Errorf("reply broken off after %d bytes: %w", sb.Len(), err)}
			}
			return err
		}
		a.touch()
		// Chunks without choices carry usage statistics only.
		if len(chunk.Choices) == 0 {
			continue
		}
		ch := chunk.Choices[0]
		if ch.FinishReason != "" {
			finished = true
		}
		if d := ch.Delta.Content; d != "" {
			sb.WriteString(d)
			onDelta(d)
		}
	}
}
