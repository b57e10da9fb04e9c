import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { Button, Input, Space, Spin, theme } from 'antd';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { OutlineNode, TenderFileView } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import { toApiError, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { MAX_ZOOM, MIN_ZOOM, THUMBNAIL_SCALE, currentPage, nextZoom, renderScale, visibleRange } from './booth-view.ts';
import { PageAbortedError, PageImages } from './page-images.ts';
import { SearchHighlights, type PageHighlights } from './search-highlight.ts';

type Api = ApiConnection<BoothContract>['api'];
type SearchHit = Awaited<ReturnType<Api['searchFile']>>[number];
/** A search's answer, for the query as it was sent (trimmed, at most 100 characters). */
interface SearchResult {
  query: string;
  hits: SearchHit[];
}
/** The side panels a viewer can offer. */
export const VIEWER_PANELS = ['thumbnails', 'outline', 'search'] as const;
export type ViewerPanel = (typeof VIEWER_PANELS)[number];
type Panel = ViewerPanel | null;
/** What the viewer needs of a file: its id for the page calls, its page count and (first) page size in points. */
export type ViewerFile = Pick<TenderFileView, 'fileId' | 'pageCount' | 'pageWidth' | 'pageHeight'>;

const PAGE_GAP = 16;
const PAGE_PADDING = 24;
/** Pages mounted beyond the visible ones, each side. */
const PAGE_MARGIN = 2;
const THUMB_WIDTH = 132;
const THUMB_GAP = 36;
/** A page waits this long on screen before it is asked for: a fast scroll asks for nothing on the way. */
const REQUEST_DELAY_MS = 120;
const PAGE_CACHE = 40;
const THUMB_CACHE = 400;
/** Text layers kept for highlighting (a few kB each). */
const TEXT_LAYER_CACHE = 200;
/** Room kept between a revealed highlight and the pane's edge, in pixels. */
const REVEAL_MARGIN = 24;

/**
 * The tender file viewer (and the report's: any file the trusted side serves pages of). Pages come as images from the trusted side (already watermarked and, for a
 * blind project, already covered), so no PDF and no text reaches this page; pdf.js is not loaded.
 *
 * - Virtualised: only the visible pages ± PAGE_MARGIN are mounted and requested, at the scale the
 *   shown width needs on this screen; a 1,000-page file mounts a handful of elements.
 * - Pages and thumbnails are CSS backgrounds of plain elements, not <img>: there is no image to drag
 *   out or to "save as" from a context menu, and the menu itself is disabled; text cannot be selected
 *   because there is none in the DOM.
 * - Thumbnails (virtualised too, scale 0.2), the outline and search jump to a page; zoom 50–300 % of
 *   the pane's width keeps the page being read in place.
 * - Search hits are marked on the page: for a page on screen that has hits, its text layer (the same
 *   sanitised one the trusted side searched: code labels, never names) is asked for once and the
 *   words' places estimated (search-highlight.ts); yellow boxes, no text, are laid over the image in
 *   percent of the page, so they follow the zoom. Jumping to a hit brings its first box into view;
 *   editing or clearing the query takes the boxes away.
 */
export function TenderViewer({
  api,
  file,
  panels = VIEWER_PANELS,
}: {
  api: Api;
  file: ViewerFile;
  /** The side panels offered (the report shows thumbnails only: its file has no outline or search index). */
  panels?: readonly ViewerPanel[];
}) {
  const { t } = useT();
  const { token } = theme.useToken();
  const images = useMemo(
    () => new PageImages((fileId, page, scale) => api.getPage({ fileId, page, scale }), PAGE_CACHE),
    [api],
  );
  const thumbs = useMemo(
    () => new PageImages((fileId, page, scale) => api.getPage({ fileId, page, scale }), THUMB_CACHE, 2),
    [api],
  );
  const highlights = useMemo(() => new SearchHighlights((fileId, page) => api.getTextLayer({ fileId, page }), TEXT_LAYER_CACHE), [api]);

  const scroller = useRef<HTMLDivElement | null>(null);
  const [viewport, setViewport] = useState({ width: 800, height: 600 });
  const [scrollTop, setScrollTop] = useState(0);
  const [zoom, setZoom] = useState(1);
  const [panel, setPanel] = useState<Panel>(panels[0] ?? null);
  const keepFraction = useRef<number | null>(null);
  // Search lives here, not in the panel: the boxes stay on the pages when the panel is closed.
  const [searchText, setSearchText] = useState('');
  const typed = useRef('');
  const [search, setSearch] = useState<SearchResult | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<ApiError | null>(null);
  /** A hit jumped to: its first box is brought into view once the page's highlights are known. */
  const [reveal, setReveal] = useState<{ page: number; query: string } | null>(null);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => setViewport({ width: element.clientWidth, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const fitWidth = Math.max(200, viewport.width - 2 * PAGE_PADDING);
  const pageWidth = Math.round(fitWidth * zoom);
  const pageHeight = Math.round((pageWidth * file.pageHeight) / file.pageWidth);
  const itemHeight = pageHeight + PAGE_GAP;
  const dpr = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;
  const scale = renderScale(pageWidth, file.pageWidth, dpr);
  const range = visibleRange(scrollTop, viewport.height, itemHeight, file.pageCount, PAGE_MARGIN);
  const page = currentPage(scrollTop, viewport.height, itemHeight, file.pageCount);
  const contentWidth = Math.max(viewport.width, pageWidth + 2 * PAGE_PADDING);
  const layout = useRef({ itemHeight, pageWidth, pageHeight, contentWidth });
  useLayoutEffect(() => {
    layout.current = { itemHeight, pageWidth, pageHeight, contentWidth };
  }, [itemHeight, pageWidth, pageHeight, contentWidth]);
  const hitPages = useMemo(() => new Set(search?.hits.map((hit) => hit.page) ?? []), [search]);

  // A new file starts at its first page: the workspace mounts a new viewer per file (key).

  // After a zoom, put the page being read back where it was.
  useLayoutEffect(() => {
    const fraction = keepFraction.current;
    const element = scroller.current;
    if (fraction === null || !element) return;
    keepFraction.current = null;
    element.scrollTop = fraction * itemHeight;
    setScrollTop(element.scrollTop);
  }, [itemHeight]);

  const changeZoom = (direction: 1 | -1) => {
    const next = nextZoom(zoom, direction);
    if (next === zoom) return;
    keepFraction.current = scrollTop / itemHeight;
    setZoom(next);
  };
  const fit = () => {
    if (zoom === 1) return;
    keepFraction.current = scrollTop / itemHeight;
    setZoom(1);
  };

  const jumpTo = useCallback(
    (target: number) => {
      const element = scroller.current;
      if (!element) return;
      const clamped = Math.min(file.pageCount, Math.max(1, target));
      element.scrollTop = (clamped - 1) * itemHeight;
      setScrollTop(element.scrollTop);
    },
    [file.pageCount, itemHeight],
  );

  const showHit = useCallback(
    (target: number, query: string) => {
      jumpTo(target);
      setReveal({ page: target, query });
    },
    [jumpTo],
  );

  // Bring the first box of a jumped-to hit into view (the jump put the page's top at the pane's top).
  useEffect(() => {
    if (!reveal) return;
    let cancelled = false;
    highlights.load(file.fileId, reveal.page, reveal.query).then(
      (found) => {
        const element = scroller.current;
        const box = found.occurrences[0]?.[0];
        if (cancelled || !element || !box || found.width <= 0 || found.height <= 0) return;
        const { itemHeight: rowHeight, pageWidth: width, pageHeight: height, contentWidth: content } = layout.current;
        const pageTop = (reveal.page - 1) * rowHeight;
        // The expert has gone elsewhere meanwhile: leave the view alone.
        if (pageTop + height < element.scrollTop || pageTop > element.scrollTop + element.clientHeight) return;
        const top = pageTop + (box.y / found.height) * height;
        const bottom = pageTop + ((box.y + box.height) / found.height) * height;
        if (top < element.scrollTop + REVEAL_MARGIN || bottom > element.scrollTop + element.clientHeight - REVEAL_MARGIN) {
          element.scrollTop = Math.max(0, top - element.clientHeight / 3);
        }
        const pageLeft = (content - width) / 2;
        const left = pageLeft + (box.x / found.width) * width;
        const right = pageLeft + ((box.x + box.width) / found.width) * width;
        if (left < element.scrollLeft + REVEAL_MARGIN || right > element.scrollLeft + element.clientWidth - REVEAL_MARGIN) {
          element.scrollLeft = Math.max(0, left - element.clientWidth / 4);
        }
        setScrollTop(element.scrollTop);
      },
      // No text layer: the page is shown without boxes; the jump itself stands.
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [reveal, highlights, file.fileId]);

  const editSearch = (value: string) => {
    typed.current = value;
    setSearchText(value);
    if (search && value.trim().slice(0, 100) !== search.query) {
      setSearch(null);
      setReveal(null);
    }
  };
  const clearSearch = () => {
    typed.current = '';
    setSearchText('');
    setSearch(null);
    setSearchError(null);
    setReveal(null);
  };
  const runSearch = async () => {
    const query = searchText.trim().slice(0, 100);
    if (!query || searching) return;
    setSearching(true);
    setSearchError(null);
    try {
      const hits = await api.searchFile({ fileId: file.fileId, query });
      // The query was edited while the search ran: this answer is for words no longer asked for.
      if (typed.current.trim().slice(0, 100) !== query) return;
      setSearch({ query, hits });
      const first = hits[0];
      if (first) showHit(first.page, query);
    } catch (thrown) {
      setSearchError(toApiError(thrown));
    } finally {
      setSearching(false);
    }
  };

  const pages: ReactNode[] = [];
  for (let p = range.first; p <= range.last; p++) {
    pages.push(
      <PageView
        key={p}
        images={images}
        fileId={file.fileId}
        page={p}
        scale={scale}
        highlights={highlights}
        highlightQuery={search && hitPages.has(p) ? search.query : null}
        style={{ position: 'absolute', top: (p - 1) * itemHeight, left: '50%', marginLeft: -pageWidth / 2, width: pageWidth, height: pageHeight }}
      />,
    );
  }

  const percent = Math.round(zoom * 100);
  const toolButton: CSSProperties = { height: 56, minWidth: 56, fontSize: 22 };
  return (
    <div data-testid="viewer-shell" style={shellStyle}>
      <div style={{ ...toolbarStyle, borderColor: token.colorBorderSecondary }}>
        <Space.Compact>
          {panels.map((name) => (
            <Button
              key={name}
              data-testid={`viewer-panel-${name}`}
              type={panel === name ? 'primary' : 'default'}
              onClick={() => setPanel(panel === name ? null : name)}
              style={toolButton}
            >
              {t(`booth.viewer.${name}`)}
            </Button>
          ))}
        </Space.Compact>
        <div style={{ flex: 1 }} />
        <Button data-testid="viewer-prev" aria-label={t('booth.viewer.prev')} disabled={page <= 1} onClick={() => jumpTo(page - 1)} style={toolButton}>
          ▲
        </Button>
        <span data-testid="viewer-page-indicator" data-page={page} data-total={file.pageCount} style={{ fontSize: 24, fontWeight: 600, minWidth: 150, textAlign: 'center' }}>
          {t('booth.viewer.page', { page, total: file.pageCount })}
        </span>
        <Button data-testid="viewer-next" aria-label={t('booth.viewer.next')} disabled={page >= file.pageCount} onClick={() => jumpTo(page + 1)} style={toolButton}>
          ▼
        </Button>
        <div style={{ width: 16 }} />
        <Button data-testid="viewer-zoom-out" aria-label={t('booth.viewer.zoomOut')} disabled={zoom <= MIN_ZOOM} onClick={() => changeZoom(-1)} style={{ ...toolButton, fontSize: 30 }}>
          −
        </Button>
        <Button data-testid="viewer-zoom" data-zoom={percent} onClick={fit} title={t('booth.viewer.zoomFit')} style={{ ...toolButton, minWidth: 96 }}>
          {percent}%
        </Button>
        <Button data-testid="viewer-zoom-in" aria-label={t('booth.viewer.zoomIn')} disabled={zoom >= MAX_ZOOM} onClick={() => changeZoom(1)} style={{ ...toolButton, fontSize: 30 }}>
          +
        </Button>
      </div>
      <div style={{ flex: 1, minHeight: 0, display: 'flex' }}>
        {panel ? (
          <aside style={{ ...panelStyle, borderColor: token.colorBorderSecondary, background: token.colorBgContainer }}>
            {panel === 'thumbnails' ? <Thumbnails images={thumbs} file={file} current={page} onJump={jumpTo} /> : null}
            {panel === 'outline' ? <Outline api={api} fileId={file.fileId} onJump={jumpTo} /> : null}
            {panel === 'search' ? (
              <Search
                text={searchText}
                result={search}
                busy={searching}
                error={searchError}
                onEdit={editSearch}
                onRun={() => void runSearch()}
                onClear={clearSearch}
                onHit={showHit}
              />
            ) : null}
          </aside>
        ) : null}
        <div
          ref={scroller}
          data-testid="viewer"
          data-file-id={file.fileId}
          data-zoom={percent}
          data-page={page}
          tabIndex={0}
          onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
          style={{ ...scrollerStyle, background: token.colorFillTertiary }}
        >
          <div style={{ position: 'relative', height: file.pageCount * itemHeight + PAGE_PADDING, width: contentWidth }}>
            {pages}
          </div>
        </div>
      </div>
    </div>
  );
}

/** One page: asked for after a short stay on screen, shown as a CSS background. */
const PageView = memo(function PageView({
  images,
  fileId,
  page,
  scale,
  style,
  thumbnail = false,
  highlights,
  highlightQuery = null,
}: {
  images: PageImages;
  fileId: string;
  page: number;
  scale: number;
  style: CSSProperties;
  thumbnail?: boolean;
  highlights?: SearchHighlights;
  /** The search query when this page has hits: its boxes are shown. */
  highlightQuery?: string | null;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const [loaded, setLoaded] = useState<{ key: string; url: string } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const key = PageImages.key(fileId, page, scale);
  const cached = images.get(fileId, page, scale);

  useEffect(() => {
    if (cached !== undefined) return;
    let cancelled = false;
    let cancelLoad = () => {};
    const timer = setTimeout(() => {
      const load = images.load(fileId, page, scale);
      cancelLoad = load.cancel;
      load.promise.then(
        (url) => {
          if (cancelled) return;
          setLoaded({ key, url });
          setError(null);
        },
        (thrown: unknown) => {
          if (!cancelled && !(thrown instanceof PageAbortedError)) setError(toApiError(thrown));
        },
      );
    }, REQUEST_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
      cancelLoad();
    };
  }, [images, fileId, page, scale, key, cached, attempt]);

  const url = cached ?? (loaded?.key === key ? loaded.url : images.anyScale(fileId, page));
  // Known once an image of the page has arrived (the flag is recorded before its URL is handed out).
  const imageWarning = !thumbnail && url !== undefined && images.hasUnverifiedImages(fileId, page);
  return (
    <div
      data-testid={thumbnail ? 'viewer-thumb-page' : 'viewer-page'}
      data-page={page}
      data-loaded={url ? 'true' : 'false'}
      draggable={false}
      style={{
        ...style,
        background: url ? `#fff url("${url}") center / 100% 100% no-repeat` : '#fff',
        boxShadow: thumbnail ? undefined : '0 2px 10px rgba(0,0,0,0.18)',
      }}
    >
      {highlights && highlightQuery !== null ? <HighlightLayer highlights={highlights} fileId={fileId} page={page} query={highlightQuery} shown={url !== undefined} /> : null}
      {imageWarning ? (
        <div data-testid="viewer-page-image-warning" role="alert" style={{ ...pageImageWarningStyle, background: token.colorWarningBg, color: token.colorWarningText, borderColor: token.colorWarningBorder }}>
          {t('booth.viewer.pageImageWarning')}
        </div>
      ) : null}
      {!url && !thumbnail ? (
        error ? (
          <button type="button" data-testid="booth-error" data-code={error.code} onClick={() => setAttempt((n) => n + 1)} style={pageErrorStyle}>
            {t('booth.viewer.pageError', { page })}
            <br />
            <span style={{ fontSize: 18, color: token.colorTextSecondary }}>{errorMessage(error.code, lang)}</span>
          </button>
        ) : (
          <div style={pageWaitStyle}>
            <Spin />
            <span style={{ fontSize: 20, color: token.colorTextSecondary }}>{t('booth.viewer.pageLoading', { page })}</span>
          </div>
        )
      ) : null}
    </div>
  );
});

/**
 * The search's boxes over one page: its highlights are asked for after a short stay on screen (a fast
 * scroll through the hits asks for nothing on the way) and drawn once the page image is there. Plain
 * empty elements with no text, not hit-testable, not selectable: the no-copy guards stand as they are.
 */
const HighlightLayer = memo(function HighlightLayer({
  highlights,
  fileId,
  page,
  query,
  shown,
}: {
  highlights: SearchHighlights;
  fileId: string;
  page: number;
  query: string;
  shown: boolean;
}) {
  const [loaded, setLoaded] = useState<{ key: string; value: PageHighlights } | null>(null);
  const key = SearchHighlights.key(fileId, page, query);
  const cached = highlights.get(fileId, page, query);

  useEffect(() => {
    if (cached !== undefined) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      highlights.load(fileId, page, query).then(
        (value) => {
          if (!cancelled) setLoaded({ key, value });
        },
        // No text layer (the file went away, the link dropped): no boxes; the next visit asks again.
        () => {},
      );
    }, REQUEST_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [highlights, fileId, page, query, key, cached]);

  const value = cached ?? (loaded?.key === key ? loaded.value : undefined);
  if (!shown || !value || value.occurrences.length === 0 || value.width <= 0 || value.height <= 0) return null;
  const percent = (part: number, whole: number) => `${(100 * part) / whole}%`;
  return (
    <div data-testid="search-highlights" data-page={page} data-count={value.occurrences.length} aria-hidden="true" style={highlightLayerStyle}>
      {value.occurrences.flatMap((rects, occurrence) =>
        rects.map((r, i) => (
          <div
            key={`${occurrence}:${i}`}
            data-testid="search-highlight"
            data-occurrence={occurrence + 1}
            style={{
              ...highlightBoxStyle,
              left: percent(r.x, value.width),
              top: percent(r.y, value.height),
              width: percent(r.width, value.width),
              height: percent(r.height, value.height),
            }}
          />
        )),
      )}
    </div>
  );
});

function Thumbnails({ images, file, current, onJump }: { images: PageImages; file: ViewerFile; current: number; onJump: (page: number) => void }) {
  const { token } = theme.useToken();
  const list = useRef<HTMLDivElement | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const thumbHeight = Math.round((THUMB_WIDTH * file.pageHeight) / file.pageWidth);
  const itemHeight = thumbHeight + THUMB_GAP;

  useLayoutEffect(() => {
    const element = list.current;
    if (!element) return;
    const measure = () => setHeight(element.clientHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // Keep the page being read in view in the strip.
  useEffect(() => {
    const element = list.current;
    if (!element) return;
    const top = (current - 1) * itemHeight;
    if (top < element.scrollTop || top + itemHeight > element.scrollTop + element.clientHeight) {
      element.scrollTop = Math.max(0, top - element.clientHeight / 2 + itemHeight / 2);
    }
  }, [current, itemHeight]);

  const range = visibleRange(scrollTop, height, itemHeight, file.pageCount, 3);
  const items: ReactNode[] = [];
  for (let p = range.first; p <= range.last; p++) {
    const active = p === current;
    items.push(
      <button
        key={p}
        type="button"
        data-testid="viewer-thumb"
        data-page={p}
        data-active={active ? 'true' : 'false'}
        onClick={() => onJump(p)}
        style={{
          position: 'absolute',
          top: (p - 1) * itemHeight + 8,
          left: '50%',
          marginLeft: -(THUMB_WIDTH + 8) / 2,
          width: THUMB_WIDTH + 8,
          padding: 3,
          border: `3px solid ${active ? token.colorPrimary : 'transparent'}`,
          borderRadius: 6,
          background: 'transparent',
          cursor: 'pointer',
        }}
      >
        <PageView images={images} fileId={file.fileId} page={p} scale={THUMBNAIL_SCALE} thumbnail style={{ width: THUMB_WIDTH - 4, height: thumbHeight, border: `1px solid ${token.colorBorder}` }} />
        <div style={{ fontSize: 18, fontWeight: active ? 700 : 400 }}>{p}</div>
      </button>,
    );
  }
  return (
    <div ref={list} data-testid="viewer-thumbnails" onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} style={{ height: '100%', overflow: 'auto' }}>
      <div style={{ position: 'relative', height: file.pageCount * itemHeight + 16 }}>{items}</div>
    </div>
  );
}

function Outline({ api, fileId, onJump }: { api: Api; fileId: string; onJump: (page: number) => void }) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const [outline, setOutline] = useState<{ fileId: string; nodes: OutlineNode[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.getOutline({ fileId }).then(
      (nodes) => {
        if (cancelled) return;
        setOutline({ fileId, nodes });
        setError(null);
      },
      (thrown: unknown) => {
        if (!cancelled) setError(toApiError(thrown));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, fileId]);

  if (error) {
    return (
      <div data-testid="booth-error" data-code={error.code} style={{ padding: 16, fontSize: 20, color: token.colorErrorText }}>
        {errorMessage(error.code, lang)}
      </div>
    );
  }
  if (!outline || outline.fileId !== fileId) return <div style={{ padding: 16, fontSize: 20 }}>{t('booth.viewer.outline.loading')}</div>;
  if (outline.nodes.length === 0) return <div style={{ padding: 16, fontSize: 20 }}>{t('booth.viewer.outline.empty')}</div>;
  const render = (nodes: OutlineNode[], depth: number): ReactNode =>
    nodes.map((node, index) => (
      <div key={`${depth}-${index}`}>
        <button
          type="button"
          data-testid="outline-item"
          data-page={node.page ?? ''}
          disabled={node.page === null}
          onClick={() => node.page !== null && onJump(node.page)}
          style={{ ...outlineItemStyle, paddingLeft: 12 + depth * 20, fontWeight: depth === 0 ? 600 : 400, color: token.colorText }}
        >
          <span style={{ flex: 1, minWidth: 0 }}>{node.title}</span>
          {node.page !== null ? <span style={{ color: token.colorTextSecondary }}>{node.page}</span> : null}
        </button>
        {node.children.length > 0 ? render(node.children, depth + 1) : null}
      </div>
    ));
  return (
    <nav data-testid="viewer-outline" style={{ height: '100%', overflow: 'auto', padding: '8px 0' }}>
      {render(outline.nodes, 0)}
    </nav>
  );
}

function Search({
  text,
  result,
  busy,
  error,
  onEdit,
  onRun,
  onClear,
  onHit,
}: {
  text: string;
  result: SearchResult | null;
  busy: boolean;
  error: ApiError | null;
  onEdit: (value: string) => void;
  onRun: () => void;
  onClear: () => void;
  onHit: (page: number, query: string) => void;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  return (
    <div style={{ height: '100%', display: 'flex', flexDirection: 'column', gap: 8, padding: 10 }}>
      <Input
        data-testid="search-input"
        size="large"
        value={text}
        maxLength={100}
        placeholder={t('booth.viewer.search.placeholder')}
        onChange={(event) => onEdit(event.target.value)}
        onPressEnter={onRun}
        style={{ fontSize: 22 }}
      />
      <div style={{ display: 'flex', gap: 8 }}>
        <Button data-testid="search-go" type="primary" size="large" loading={busy} disabled={!text.trim()} onClick={onRun} style={{ flex: 1, minWidth: 0, height: 56, fontSize: 22, paddingInline: 8 }}>
          {t('booth.viewer.search.go')}
        </Button>
        <Button data-testid="search-clear" size="large" disabled={!text && !result && !error} onClick={onClear} style={{ flex: 1, minWidth: 0, height: 56, fontSize: 22, paddingInline: 8 }}>
          {t('booth.viewer.search.clear')}
        </Button>
      </div>
      {error ? (
        <div data-testid="booth-error" data-code={error.code} style={{ fontSize: 20, color: token.colorErrorText }}>
          {errorMessage(error.code, lang)}
        </div>
      ) : null}
      {result ? (
        <div data-testid="search-summary" data-count={result.hits.length} style={{ fontSize: 20, color: token.colorTextSecondary }}>
          {result.hits.length === 0 ? t('booth.viewer.search.none', { query: result.query }) : t('booth.viewer.search.summary', { query: result.query, pages: result.hits.length })}
        </div>
      ) : null}
      {result && result.hits.length > 0 ? (
        <div style={{ display: 'flex', alignItems: 'center', gap: 8, fontSize: 18, color: token.colorTextSecondary }}>
          <span aria-hidden="true" style={{ ...highlightBoxStyle, position: 'static', display: 'inline-block', width: 28, height: 20, flex: 'none' }} />
          {t('booth.viewer.search.marked')}
        </div>
      ) : null}
      <div style={{ flex: 1, overflow: 'auto', display: 'flex', flexDirection: 'column', gap: 6 }}>
        {result?.hits.map((hit) => (
          <button
            key={hit.page}
            type="button"
            data-testid="search-hit"
            data-page={hit.page}
            data-count={hit.count}
            onClick={() => onHit(hit.page, result.query)}
            style={{ ...searchHitStyle, borderColor: token.colorBorderSecondary, color: token.colorText }}
          >
            <div style={{ fontSize: 20, fontWeight: 700 }}>{t('booth.viewer.search.hit', { page: hit.page, count: hit.count })}</div>
            <div style={{ fontSize: 18, color: token.colorTextSecondary }}>{hit.snippet}</div>
          </button>
        ))}
      </div>
    </div>
  );
}

const shellStyle: CSSProperties = { height: '100%', display: 'flex', flexDirection: 'column', minWidth: 0 };
const toolbarStyle: CSSProperties = { display: 'flex', alignItems: 'center', gap: 8, padding: '8px 8px', borderBottom: '1px solid', flexWrap: 'wrap' };
const panelStyle: CSSProperties = { width: 220, flex: 'none', borderRight: '1px solid', overflow: 'hidden' };
const scrollerStyle: CSSProperties = { flex: 1, minWidth: 0, overflow: 'auto', position: 'relative', outline: 'none' };
const pageWaitStyle: CSSProperties = { position: 'absolute', inset: 0, display: 'flex', flexDirection: 'column', gap: 12, alignItems: 'center', justifyContent: 'center' };
const pageErrorStyle: CSSProperties = { position: 'absolute', inset: 0, border: 'none', background: 'transparent', fontSize: 22, cursor: 'pointer' };
const pageImageWarningStyle: CSSProperties = { position: 'absolute', top: 0, left: 0, right: 0, zIndex: 1, padding: '10px 16px', fontSize: 20, fontWeight: 600, lineHeight: 1.4, borderBottom: '2px solid', textAlign: 'center' };
const outlineItemStyle: CSSProperties = {
  display: 'flex',
  gap: 8,
  width: '100%',
  minHeight: 48,
  alignItems: 'center',
  textAlign: 'left',
  border: 'none',
  background: 'transparent',
  fontSize: 19,
  paddingRight: 10,
  cursor: 'pointer',
};
/** Over the page, under the image warning; never in the way of a tap or a selection. */
const highlightLayerStyle: CSSProperties = { position: 'absolute', inset: 0, overflow: 'hidden', pointerEvents: 'none', userSelect: 'none', WebkitUserSelect: 'none' };
/**
 * A strong yellow marker with an amber outline, large enough to find at a glance. Multiplied into the
 * page: white paper turns yellow, the ink stays as dark as it was, so the marked words stay readable.
 */
const highlightBoxStyle: CSSProperties = {
  position: 'absolute',
  boxSizing: 'border-box',
  minWidth: 10,
  minHeight: 12,
  background: 'rgba(255, 221, 0, 0.7)',
  outline: '3px solid rgb(235, 150, 0)',
  borderRadius: 3,
  mixBlendMode: 'multiply',
};
const searchHitStyle: CSSProperties = { textAlign: 'left', border: '1px solid', borderRadius: 8, background: 'transparent', padding: '8px 10px', cursor: 'pointer' };
