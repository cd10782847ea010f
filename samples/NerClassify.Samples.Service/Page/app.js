// The NerClassify page: sends the text to POST /v1/predict and draws the answer. Everything the user typed or the
// model said is put into the page as text (textContent, setAttribute), never parsed as HTML.
'use strict';

(() => {
  const PALETTE_SIZE = 8; // colours defined in app.css ([data-color="0"] … [data-color="7"])

  const form = document.getElementById('predict-form');
  const textBox = document.getElementById('text');
  const documentSwitch = document.getElementById('document');
  const button = document.getElementById('predict');
  const errorBox = document.getElementById('error');
  const legend = document.getElementById('legend');
  const results = document.getElementById('results');
  const modelStatus = document.getElementById('model-status');
  const entityDetail = document.getElementById('entity-detail');

  const entityTypes = [];   // legend order: the model's types first, then any new type an answer brings
  let sentenceLabels = [];  // the model's classes, in its order
  let retryTimer = 0;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function colourOf(type) {
    let index = entityTypes.indexOf(type);
    if (index < 0) {
      entityTypes.push(type);
      index = entityTypes.length - 1;
      drawLegend();
    }
    return String(index % PALETTE_SIZE);
  }

  function drawLegend() {
    legend.replaceChildren(...entityTypes.map((type, index) => {
      const item = element('span', 'legend-item', type);
      item.dataset.color = String(index % PALETTE_SIZE);
      item.dataset.type = type;
      return item;
    }));
  }

  function percent(score) {
    return `${(score * 100).toFixed(1)}%`;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.textContent = '';
    errorBox.hidden = true;
  }

  async function describeFailure(response) {
    let detail = '';
    try {
      const problem = await response.json();
      detail = typeof problem.detail === 'string' ? problem.detail : (problem.title || '');
    } catch {
      detail = response.statusText;
    }
    switch (response.status) {
      case 413: return `The text is too large for the service (413 Payload Too Large): ${detail}`;
      case 400: return `The service could not read the request (400 Bad Request): ${detail}`;
      case 503: return 'The model is still loading (503 Service Unavailable); try again in a moment.';
      default: return `The service answered ${response.status}${detail ? `: ${detail}` : '.'}`;
    }
  }

  async function loadModel() {
    try {
      const response = await fetch('/v1/model', { headers: { Accept: 'application/json' } });
      if (response.status === 503) {
        modelStatus.textContent = 'The model is loading…';
        retryTimer = setTimeout(loadModel, 1000);
        return;
      }
      if (!response.ok) {
        modelStatus.textContent = await describeFailure(response);
        return;
      }
      const model = await response.json();
      for (const type of model.entityTypes) colourOf(type);
      sentenceLabels = model.sentenceLabels;
      drawLegend();
      const parts = [`Task: ${model.task}`];
      if (model.entityTypes.length) parts.push(`${model.entityTypes.length} entity types`);
      if (model.sentenceLabels.length) parts.push(`${model.sentenceLabels.length} sentence classes`);
      parts.push(`up to ${model.maxTextChars.toLocaleString('en')} characters per text`);
      modelStatus.textContent = parts.join(' · ');
    } catch (failure) {
      modelStatus.textContent = `Could not reach the service: ${failure.message}`;
    }
  }

  function drawText(prediction) {
    const paragraph = element('p', 'prediction-text');
    const text = prediction.text;
    let cursor = 0;
    const entities = [...prediction.entities].sort((a, b) => a.start - b.start);
    for (const entity of entities) {
      // Spans are UTF-16 offsets into the text, as JavaScript strings index; skip any that overlap or overrun.
      if (entity.start < cursor || entity.end > text.length || entity.end <= entity.start) continue;
      if (entity.start > cursor) paragraph.append(document.createTextNode(text.slice(cursor, entity.start)));
      const mark = element('mark', 'entity', text.slice(entity.start, entity.end));
      const description = `${entity.type}, score ${entity.score.toFixed(3)}`;
      mark.dataset.type = entity.type;
      mark.dataset.color = colourOf(entity.type);
      mark.dataset.start = String(entity.start);
      mark.dataset.end = String(entity.end);
      mark.dataset.score = entity.score.toFixed(3);
      mark.title = description;
      mark.tabIndex = 0;
      mark.setAttribute('aria-label', `${text.slice(entity.start, entity.end)}: ${description}`);
      paragraph.append(mark);
      cursor = entity.end;
    }
    if (cursor < text.length) paragraph.append(document.createTextNode(text.slice(cursor)));
    return paragraph;
  }

  function drawSentence(sentence) {
    const box = element('div', 'sentence');
    const heading = element('p', 'sentence-label', 'Sentence: ');
    heading.append(element('strong', 'sentence-top', sentence.label), document.createTextNode(` ${percent(sentence.score)}`));
    box.append(heading);

    const scores = new Map((sentence.scores || [{ label: sentence.label, score: sentence.score }]).map(s => [s.label, s.score]));
    const labels = sentenceLabels.length ? sentenceLabels.filter(l => scores.has(l)) : [...scores.keys()];
    for (const label of scores.keys()) if (!labels.includes(label)) labels.push(label);

    const bars = element('div', 'bars');
    bars.setAttribute('role', 'list');
    bars.setAttribute('aria-label', 'Sentence classes');
    for (const label of labels) {
      const score = scores.get(label);
      const row = element('div', label === sentence.label ? 'bar-row bar-row-top' : 'bar-row');
      row.setAttribute('role', 'listitem');
      row.dataset.label = label;
      const track = element('span', 'bar');
      const fill = element('span', 'bar-fill');
      fill.style.width = `${Math.max(0, Math.min(1, score)) * 100}%`;
      track.append(fill);
      row.append(element('span', 'bar-label', label), track, element('span', 'bar-value', percent(score)));
      bars.append(row);
    }
    box.append(bars);
    return box;
  }

  function draw(predictions) {
    results.replaceChildren(...predictions.map(prediction => {
      const article = element('article', 'prediction');
      article.append(drawText(prediction));
      if (prediction.sentence) article.append(drawSentence(prediction.sentence));
      return article;
    }));
    entityDetail.textContent = '';
  }

  async function predict() {
    if (button.disabled) return; // a request is in flight
    const text = textBox.value;
    if (!text.trim()) {
      showError('Type a text first.');
      textBox.focus();
      return;
    }
    // As a document, each non-empty line is one sentence; the service revises each by the others.
    const asDocument = documentSwitch.checked;
    const body = asDocument
      ? { texts: text.split(/\r?\n/).filter(line => line.trim()), document: true }
      : { text };

    button.disabled = true;
    results.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch('/v1/predict', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        showError(await describeFailure(response));
        return;
      }
      const answer = await response.json();
      clearError();
      draw(answer.predictions);
    } catch (failure) {
      showError(`Could not reach the service: ${failure.message}`);
    } finally {
      button.disabled = false;
      results.removeAttribute('aria-busy');
    }
  }

  function describeEntity(event) {
    const mark = event.target.closest('.entity');
    if (mark) entityDetail.textContent = `${mark.textContent}: ${mark.title}`;
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    predict();
  });
  textBox.addEventListener('keydown', event => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  results.addEventListener('mouseover', describeEntity);
  results.addEventListener('focusin', describeEntity);
  window.addEventListener('pagehide', () => clearTimeout(retryTimer));

  loadModel();
})();
