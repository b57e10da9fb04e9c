import 'antd/dist/reset.css';
import './booth.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { boothContract } from '@kawei/shared/contract/booth.contract.ts';
import { connectApi } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { I18nProvider } from '@kawei/shared/ui/i18n.dom.tsx';
import { BoothApp } from './BoothApp.dom.tsx';

// One connection for the page's lifetime: the Electron bridge if the preload put one on window,
// otherwise the Node host's WebSocket.
const client = connectApi(boothContract);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <BoothApp client={client} />
    </I18nProvider>
  </StrictMode>,
);
