import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { connectClient } from './api';
import { makeRouter } from './router';
import './styles.css';

connectClient();
createApp(App).use(createPinia()).use(makeRouter()).mount('#app');
