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

type Api = ApiConnection<BoothContract>['api'];
type SearchHit = Awaited<ReturnType<Api['searchFile']>>[number];
type Panel = 'thumbnails' | 'outline' | 'search' | null;

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

/**
 * The tender file viewer. Pages come as images from the trusted side (already watermarked and, for a
 * blind project, already covered), so no PDF and no text reaches this page; pdf.js is not loaded.
 *
 * - Virtualised: only the visible pages ± PAGE_MARGIN are mounted and requested, at the scale the
 *   shown width needs on this screen; a 1,000-page file mounts a handful of elements.
 * - Pages and thumbnails are CSS backgrounds of plain elements, not <img>: there is no image to drag
 *   out or to "save as" from a context menu, and the menu itself is disabled; text cannot be selected
 *   because there is none (the text layer is not fetched).
 * - Thumbnails (virtualised too, scale 0.2), the outline and search jump to a page; zoom 50–300 % of
 *   the pane's width keeps the page being read in place.
 */
export function TenderViewer({ api, file }: { api: Api; file: TenderFileView }) {
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

  const scroller = useRef<HTMLDivElement | null>(null);
  const [viewport, setViewport] = useState({ width: 800, height: 600 });
  const [scrollTop, setScrollTop] = useState(0);
  const [zoom, setZoom] = useState(1);
  const [panel, setPanel] = useState<Panel>('thumbnails');
  const keepFraction = useRef<number | null>(null);

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

  const pages: ReactNode[] = [];
  for (let p = range.first; p <= range.last; p++) {
    pages.push(
      <PageView
        key={p}
        images={images}
        fileId={file.fileId}
        page={p}
        scale={scale}
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
          {(['thumbnails', 'outline', 'search'] as const).map((name) => (
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
            {panel === 'search' ? <Search api={api} fileId={file.fileId} onJump={jumpTo} /> : null}
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
          <div style={{ position: 'relative', height: file.pageCount * itemHeight + PAGE_PADDING, width: Math.max(viewport.width, pageWidth + 2 * PAGE_PADDING) }}>
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
}: {
  images: PageImages;
  fileId: string;
  page: number;
  scale: number;
  style: CSSProperties;
  thumbnail?: boolean;
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

function Thumbnails({ images, file, current, onJump }: { images: PageImages; file: TenderFileView; current: number; onJump: (page: number) => void }) {
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

function Search({ api, fileId, onJump }: { api: Api; fileId: string; onJump: (page: number) => void }) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const [query, setQuery] = useState('');
  const [result, setResult] = useState<{ fileId: string; query: string; hits: SearchHit[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const run = async () => {
    const q = query.trim();
    if (!q || busy) return;
    setBusy(true);
    setError(null);
    try {
      const hits = await api.searchFile({ fileId, query: q.slice(0, 100) });
      setResult({ fileId, query: q, hits });
      const first = hits[0];
      if (first) onJump(first.page);
    } catch (thrown) {
      setError(toApiError(thrown));
    } finally {
      setBusy(false);
    }
  };

  const shown = result?.fileId === fileId ? result : null;
  return (
    <div style={{ height: '100%', display: 'flex', flexDirection: 'column', gap: 8, padding: 10 }}>
      <Input
        data-testid="search-input"
        size="large"
        value={query}
        maxLength={100}
        placeholder={t('booth.viewer.search.placeholder')}
        onChange={(event) => setQuery(event.target.value)}
        onPressEnter={() => void run()}
        style={{ fontSize: 22 }}
      />
      <Button data-testid="search-go" type="primary" size="large" loading={busy} disabled={!query.trim()} onClick={() => void run()} style={{ height: 56, fontSize: 22 }}>
        {t('booth.viewer.search.go')}
      </Button>
      {error ? (
        <div data-testid="booth-error" data-code={error.code} style={{ fontSize: 20, color: token.colorErrorText }}>
          {errorMessage(error.code, lang)}
        </div>
      ) : null}
      {shown ? (
        <div data-testid="search-summary" data-count={shown.hits.length} style={{ fontSize: 20, color: token.colorTextSecondary }}>
          {shown.hits.length === 0 ? t('booth.viewer.search.none', { query: shown.query }) : t('booth.viewer.search.summary', { query: shown.query, pages: shown.hits.length })}
        </div>
      ) : null}
      <div style={{ flex: 1, overflow: 'auto', display: 'flex', flexDirection: 'column', gap: 6 }}>
        {shown?.hits.map((hit) => (
          <button
            key={hit.page}
            type="button"
            data-testid="search-hit"
            data-page={hit.page}
            onClick={() => onJump(hit.page)}
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
const searchHitStyle: CSSProperties = { textAlign: 'left', border: '1px solid', borderRadius: 8, background: 'transparent', padding: '8px 10px', cursor: 'pointer' };
